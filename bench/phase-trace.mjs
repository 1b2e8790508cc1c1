/**
 * Where a `hubcap download` process spends its time (#25): preloaded into the CLI, it prints on
 * exit the milliseconds since the process started at which each phase began: this file loaded
 * (Node's own start), the first Hub API request (modules loaded, core built), the first body
 * request, its first byte, each rename into the cache, exit; and the requests and sockets used
 * (fewer sockets than requests: kept-alive connections were reused).
 *
 *   node --import ./bench/phase-trace.mjs out/main/cli.js download REPO FILE --cache-dir /tmp/c
 */
import diagnostics from 'node:diagnostics_channel';
import fs from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import { performance } from 'node:perf_hooks';

const marks = [];
const mark = (name) => marks.push(`${name} ${performance.now().toFixed(0)}`);
mark('node-started');
let sockets = 0;
diagnostics.subscribe('net.client.socket', () => {
  sockets++;
  if (sockets === 1) mark('first-socket (API)');
});
let bodies = 0;
for (const mod of [http, https]) {
  const get = mod.get;
  mod.get = function (...args) {
    const req = get.apply(this, args);
    if (++bodies === 1) {
      mark('first-body-request');
      // The answer's headers, not its first 'data' event: a listener there would take chunks from the download's own reader.
      req.once('response', () => mark('first-byte'));
    }
    return req;
  };
}
const rename = fs.promises.rename;
fs.promises.rename = async function (...args) {
  const r = await rename.apply(this, args);
  if (!String(args[1]).endsWith('.incomplete')) mark('renamed-into-cache');
  return r;
};
process.on('exit', () => {
  mark('exit');
  process.stderr.write(`phases (ms since start): ${marks.join(', ')}; body requests ${bodies}, sockets ${sockets}\n`);
});
