import type { Server } from 'node:http';
import type { Socket } from 'node:net';

/**
 * A server's stop on SIGTERM/SIGINT: no new connections, connections with no request in flight
 * closed at once (a browser's spare, preconnected socket, never used, or a keep-alive one), the
 * requests in flight answered (their connections closed after), the rest cut after `graceMs`.
 * Without this `server.close()` waited for the browser's spare socket until the 10 s fallback,
 * which exited without closing the database. Call it once.
 */
export function gracefulStop(server: Server): (graceMs: number) => Promise<void> {
  const open = new Set<Socket>();
  const busy = new Set<Socket>();
  let stopping = false;
  server.on('connection', (socket: Socket) => {
    open.add(socket);
    socket.once('close', () => {
      open.delete(socket);
      busy.delete(socket);
    });
  });
  server.on('request', (req, res) => {
    busy.add(req.socket);
    res.once('close', () => {
      busy.delete(req.socket);
      if (stopping) req.socket.destroy();
    });
  });
  return (graceMs) =>
    new Promise((resolve) => {
      stopping = true;
      server.close(() => resolve());
      for (const socket of open) if (!busy.has(socket)) socket.destroy();
      // a request still unanswered after the grace period (a stuck upload) does not hold the stop
      setTimeout(() => server.closeAllConnections(), graceMs).unref();
    });
}
