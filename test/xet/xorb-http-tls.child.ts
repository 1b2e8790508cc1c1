/**
 * Run by xorb-http.test.ts in a process of its own, with NODE_EXTRA_CA_CERTS naming the fixture's
 * certificate (Node reads it at start): two ranges from an https storage host on one kept-alive
 * connection, read into lent slabs. Prints what it read as JSON.
 */
import { createHash, randomBytes } from 'node:crypto';
import fs from 'node:fs';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { dropRead, holdRead, readSlabBytesInUse, readSlabsInUse } from '../../src-main/xet/read-slabs';
import { xorbGet } from '../../src-main/xet/xorb-http';

const dir = path.join(import.meta.dirname, '..', 'fixtures', 'tls');
const body = randomBytes(1 << 20);
let connections = 0;
const server = https.createServer(
  { key: fs.readFileSync(path.join(dir, 'localhost-key.pem')), cert: fs.readFileSync(path.join(dir, 'localhost-cert.pem')) },
  (req, res) => {
    const m = /bytes=(\d+)-(\d+)/.exec(req.headers.range ?? '') as RegExpExecArray;
    const [start, end] = [Number(m[1]), Number(m[2])];
    res.writeHead(206, { 'content-length': end - start + 1 });
    res.end(body.subarray(start, end + 1));
  },
);
server.on('secureConnection', () => (connections += 1));
await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
const url = new URL(`https://localhost:${(server.address() as AddressInfo).port}/x`);
const hash = createHash('sha256');
// Every view of the second answer kept, as a reader far behind keeps them: what they pin.
const kept: Buffer[] = [];
let pinned = 0;
for (const range of ['0-524287', '524288-1048575']) {
  const answer = await xorbGet(url, `Range: bytes=${range}\r\n`, new AbortController().signal, 10_000, () => new Error('silent'));
  for await (const buf of answer.body) {
    hash.update(buf);
    if (range.startsWith('0-')) continue;
    holdRead(buf);
    kept.push(buf);
  }
  if (kept.length) pinned = readSlabBytesInUse();
}
const keptBytes = kept.reduce((n, b) => n + b.length, 0);
kept.forEach(dropRead);
console.log(
  JSON.stringify({
    sha: hash.digest('hex'),
    expected: createHash('sha256').update(body).digest('hex'),
    connections,
    inUse: readSlabsInUse(),
    keptBytes,
    pinned,
  }),
);
server.closeAllConnections();
server.close();
