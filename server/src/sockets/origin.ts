/**
 * Whether a Socket.IO handshake (`/visitor` and `/operator`) may come from `origin`.
 * WebSockets are not subject to CORS: without this, any page or ad could open chats
 * (`urgent`, in anyone's words) from its readers' browsers, each from a fresh address, or
 * ride a signed-in operator's cookie. Our own pages (`/chat`, the widget's iframe and the
 * full page; the console) are the only browser clients, so a browser's Origin must be the
 * helpline's public origin, or the origin the request itself came to (the same host,
 * behind a proxy that keeps Host: a second name of the deployment, development, the tests'
 * 127.0.0.1). Host pages never connect themselves (their embedding is EMBED_ORIGINS'
 * business). No Origin: not a browser (socket.io-client in Node, outside checks), which
 * every limit meets anyway.
 */
export function handshakeOriginAllowed(
  origin: string | undefined,
  host: string | undefined,
  publicOrigin: string,
): boolean {
  if (origin === undefined) return true;
  if (origin === publicOrigin) return true;
  try {
    return host !== undefined && new URL(origin).host === host;
  } catch {
    return false; // `null` (a sandboxed or file page), or garbage
  }
}
