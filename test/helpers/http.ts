import http from 'node:http';

export interface RawResponse {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: string;
}

/** A plain HTTP request where every header (Host, Origin, Cookie) is ours to set. */
export function rawRequest(url: string, headers: Record<string, string> = {}, method = 'GET'): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    const req = http.request(url, { method, headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') }));
    });
    req.on('error', reject);
    req.end();
  });
}

/** A hostile body that never ends: 64 KiB writes as fast as the client takes them, until the connection closes. */
export function writeForever(res: http.ServerResponse): void {
  const pump = () => {
    while (!res.destroyed && res.write(Buffer.alloc(64 * 1024)));
    if (!res.destroyed) res.once('drain', pump);
  };
  pump();
}
