/**
 * The floor for any Node.js downloader (#25, middle-size case): the least a Node process can do to
 * fetch one file as Hubcap's Auto does on a capped link, and nothing more — one HEAD (redirects
 * followed by hand to learn the size), then 1 MiB ranges over up to 16 kept-alive connections,
 * each written at its offset. No hashing, no cache, no locks, no records: it verifies nothing, so
 * it is not a client anyone should use; it says how much of Hubcap's time Node itself costs.
 *
 *   node bench/node-floor.mjs URL OUT
 */
import fs from 'node:fs';
import http from 'node:http';

const [url, out] = process.argv.slice(2);
const agent = new http.Agent({ keepAlive: true, maxSockets: 16 });

function request(u, method, headers = {}) {
  return new Promise((resolve, reject) => {
    http.request(u, { method, headers, agent }, resolve).on('error', reject).end();
  });
}

let where = url;
let size = -1;
for (let hop = 0; hop < 5 && size < 0; hop++) {
  const res = await request(where, 'HEAD');
  res.resume();
  if (res.statusCode >= 300 && res.statusCode < 400) where = new URL(res.headers.location, where).href;
  else size = Number(res.headers['content-length']);
}
const fd = fs.openSync(out, 'w');
const PIECE = 1 << 20;
let next = 0;
async function worker() {
  while (next < size) {
    const start = next;
    const end = Math.min(size, start + PIECE) - 1;
    next = end + 1;
    const res = await request(where, 'GET', { range: `bytes=${start}-${end}` });
    let at = start;
    for await (const chunk of res) {
      fs.writeSync(fd, chunk, 0, chunk.length, at);
      at += chunk.length;
    }
  }
}
await Promise.all(Array.from({ length: Math.min(16, Math.ceil(size / PIECE)) }, worker));
fs.closeSync(fd);
agent.destroy();
