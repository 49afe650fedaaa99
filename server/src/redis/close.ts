/** Anything with ioredis' quit/disconnect. */
interface Closable {
  quit(): Promise<unknown>;
  disconnect(): void;
}

/**
 * Resolves when `work` settles or after `ms`, whichever is first. Shutdown must end even
 * when Redis is unreachable or a connection is waiting out a reconnect back-off.
 */
export async function withDeadline(work: Promise<unknown>, ms: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([
    work.catch(() => {}),
    new Promise<void>((resolve) => {
      timer = setTimeout(resolve, ms);
    }),
  ]);
  clearTimeout(timer);
}

/** QUIT politely (pending replies arrive), but never wait longer than `ms`; then drop the socket. */
export async function closeConnection(conn: Closable, ms = 2000): Promise<void> {
  await withDeadline(conn.quit(), ms);
  conn.disconnect();
}

/** Closes a BullMQ queue and its connection within `ms`. */
export async function closeQueue(
  queue: { close(): Promise<void>; client: Promise<unknown> },
  ms = 3000,
): Promise<void> {
  await withDeadline(queue.close(), ms);
  await withDeadline(
    queue.client.then((c) => closeConnection(c as Closable, 1000)),
    1500,
  );
}
