/** Parts of a client's request the mirror reads: a small body, and the address the client used (for links back). */
import type http from 'node:http';

const MAX_BODY = 1 << 20;
/** A request body of at most 1 MiB, within 30 s; null otherwise. */
export function readBody(req: http.IncomingMessage): Promise<string | null> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let n = 0;
    const timer = setTimeout(() => resolve(null), 30_000);
    req.on('data', (c: Buffer) => {
      n += c.length;
      if (n > MAX_BODY) {
        clearTimeout(timer);
        resolve(null);
        req.destroy();
      } else chunks.push(c);
    });
    req.on('end', () => {
      clearTimeout(timer);
      resolve(Buffer.concat(chunks).toString('utf8'));
    });
    req.on('error', () => resolve(null));
  });
}

/** The absolute URL a client should follow for the next page, on the address it used. */
export function nextPageUrl(req: http.IncomingMessage, prefix: string, pathAndQuery: string): string {
  const proto = req.headers['x-forwarded-proto'] === 'https' ? 'https' : 'http';
  const host = String(req.headers['x-forwarded-host'] ?? req.headers.host ?? 'localhost').replace(/[^A-Za-z0-9.:[\]-]/g, '');
  return `${proto}://${host}${prefix}${pathAndQuery}`;
}
