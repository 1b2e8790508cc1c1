/** Answer helpers shared by the fake Hub's origins: JSON bodies and the Hub's error headers. */
import type http from 'node:http';

export function json(res: http.ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'Content-Type': 'application/json; charset=utf-8', 'Content-Length': Buffer.byteLength(text), ...headers });
  res.end(text);
}

export function hubError(res: http.ServerResponse, status: number, code: string | null, message: string, extra: Record<string, string> = {}): void {
  const headers: Record<string, string> = { 'X-Error-Message': message, 'X-Request-Id': `req-${Math.random().toString(36).slice(2, 10)}`, ...extra };
  if (code) headers['X-Error-Code'] = code;
  json(res, status, { error: message }, headers);
}

/** A request body as text, refused past `max` bytes (the Hub bounds what it reads too). */
export function readBody(req: http.IncomingMessage, max = 64 << 20): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let seen = 0;
    req.on('data', (c: Buffer) => {
      seen += c.length;
      if (seen > max) {
        req.destroy();
        reject(new Error('request body too large'));
        return;
      }
      chunks.push(c);
    });
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}
