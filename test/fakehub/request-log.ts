/** The fake Hub's request log: every request each origin answered, and the bytes its answer took. */
import type http from 'node:http';

export type Origin = 'api' | 'cdn' | 'upload';

export interface LoggedRequest {
  origin: Origin;
  method: string;
  url: string;
  headers: http.IncomingHttpHeaders;
  /** Bytes written to the socket for this answer (headers included), once it is over. */
  bytes?: number;
}

/** Logs a request and, when its answer is over, how many bytes went out for it. */
export function logRequest(log: LoggedRequest[], origin: Origin, req: http.IncomingMessage, res: http.ServerResponse): void {
  const entry: LoggedRequest = { origin, method: req.method ?? 'GET', url: req.url ?? '/', headers: req.headers };
  log.push(entry);
  const socket = req.socket;
  const before = socket.bytesWritten;
  res.once('close', () => (entry.bytes = socket.bytesWritten - before));
}
