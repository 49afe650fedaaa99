/**
 * A promise and the function that resolves it: for a test that holds a step until it lets
 * it go, or waits until a step has been reached.
 * @example const gate = deferred(); … await gate.promise; … gate.resolve();
 */
export function deferred(): { promise: Promise<void>; resolve: () => void } {
  let resolve = () => {};
  const promise = new Promise<void>((r) => {
    resolve = r;
  });
  return { promise, resolve };
}
