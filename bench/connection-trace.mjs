/**
 * A per-connection timeline of one `hubcap download` (#25, classic path): preloaded into the CLI, it
 * writes on exit, for every body request, its host, file, Range, status, and the milliseconds since
 * the process started at which it was sent, its headers came, its first body byte came and it
 * ended (or closed early), with its bytes and whether its socket was new or kept alive; plus the
 * Hub API requests, partials opened and renames into the cache (records saved, blobs published).
 *
 *   CONN_TRACE=/tmp/trace.txt node --import ./bench/connection-trace.mjs out/main/cli.js download REPO FILE…
 *
 * Body bytes are counted by wrapping the response's push(), not with a 'data' listener: a listener
 * would switch the body into flowing mode and take chunks from under the download's own reader.
 */
import diagnostics from 'node:diagnostics_channel';
import fs from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import { performance } from 'node:perf_hooks';

const t = () => performance.now().toFixed(0);
const lines = [];
let sockets = 0;
diagnostics.subscribe('net.client.socket', () => sockets++);
diagnostics.subscribe('undici:request:create', ({ request }) => lines.push(`api ${request.method} ${request.path.slice(0, 80)} sent@${t()}`));
let n = 0;
for (const mod of [http, https]) {
  const get = mod.get;
  mod.get = function (...args) {
    const id = ++n;
    const url = String(args[0]);
    const range = args[1]?.headers?.range ?? '-';
    const sent = t();
    const req = get.apply(this, args);
    let socket = '?';
    req.once('socket', (s) => {
      socket = s.traced ? 'kept-alive' : 'new';
      s.traced = true;
    });
    req.once('response', (res) => {
      const headers = t();
      let first = null;
      let bytes = 0;
      const push = res.push;
      res.push = function (chunk, ...rest) {
        if (chunk) {
          first ??= t();
          bytes += chunk.length;
        }
        return push.call(this, chunk, ...rest);
      };
      const done = (how) =>
        lines.push(
          `#${id} ${new URL(url).host} ${url.split('/').pop().slice(0, 24)} ${range} ${res.statusCode} sent@${sent} headers@${headers} first@${first} ${how}@${t()} ${bytes}B ${socket}`,
        );
      res.once('end', () => done('end'));
      res.once('close', () => res.complete || done('closed'));
    });
    return req;
  };
}
const open = fs.promises.open;
fs.promises.open = async function (...args) {
  const r = await open.apply(this, args);
  lines.push(`open ${String(args[0]).split('/').pop().slice(0, 48)} @${t()}`);
  return r;
};
for (const [obj, name] of [
  [fs.promises, 'rename'],
  [fs, 'renameSync'],
]) {
  const f = obj[name];
  const traced = function (...args) {
    const s = t();
    const r = f.apply(this, args);
    const log = () => lines.push(`${name} ${String(args[1]).split('/').slice(-2).join('/').slice(0, 60)} ${s}->${t()}`);
    if (r instanceof Promise) return r.then((v) => (log(), v));
    log();
    return r;
  };
  obj[name] = traced;
}
process.on('exit', () => {
  lines.push(`exit @${t()}; body requests ${n}, sockets ${sockets}`);
  fs.writeFileSync(process.env.CONN_TRACE ?? 'connection-trace.txt', lines.join('\n') + '\n');
});
