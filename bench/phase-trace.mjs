/**
 * Where a `hubcap download` process spends its time (#25): preloaded into the CLI, it prints on
 * exit the milliseconds since the process started at which each phase began: this file loaded
 * (Node's own start), the CLI's own marks (`performance.mark('hubcap:…')`: handler imported, core
 * built, the download requested), the keychain's native module loaded, the token file read, the first Hub API request sent and answered (undici's diagnostics channels, which
 * Node's `fetch` publishes), the first lock file opened, the first body request, its first byte,
 * each rename into the cache, exit; the CPU time used by the first body request and by exit
 * (steadier than the clock when other processes load the machine); and the requests and sockets
 * used (fewer sockets than requests: kept-alive connections were reused).
 *
 *   node --import ./bench/phase-trace.mjs out/main/cli.js download REPO FILE --cache-dir /tmp/c
 */
import diagnostics from 'node:diagnostics_channel';
import fs from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import Module from 'node:module';
import { performance } from 'node:perf_hooks';

const marks = [];
const mark = (name) => marks.push([name, performance.now()]);
const once = (() => {
  const seen = new Set();
  return (name) => {
    if (seen.has(name)) return;
    seen.add(name);
    mark(name);
  };
})();
mark('node-started');
let sockets = 0;
diagnostics.subscribe('net.client.socket', () => {
  sockets++;
  if (sockets === 1) mark('first-socket (API)');
});
// Node's fetch (undici) publishes these; the first request of a download is the Hub API's HEAD.
diagnostics.subscribe('undici:request:create', () => once('api-request-sent'));
diagnostics.subscribe('undici:request:headers', () => once('api-request-answered'));
// The keychain's native module, loaded through require at the first token lookup.
const load = Module._load;
Module._load = function (request, ...rest) {
  const watched = request === '@napi-rs/keyring';
  if (watched) once(`${request}-loading`);
  const out = load.call(this, request, ...rest);
  if (watched) once(`${request}-loaded`);
  return out;
};
const readFile = fs.promises.readFile;
fs.promises.readFile = function (file, ...rest) {
  if (String(file).endsWith('/token')) once('token-file-read');
  return readFile.call(this, file, ...rest);
};
const readFileSync = fs.readFileSync;
fs.readFileSync = function (file, ...rest) {
  if (String(file).endsWith('/token')) once('token-file-read');
  return readFileSync.call(this, file, ...rest);
};
const open = fs.promises.open;
fs.promises.open = async function (file, ...rest) {
  const fh = await open.call(this, file, ...rest);
  if (String(file).endsWith('.lock')) once('lock-file-opened');
  return fh;
};
// CPU time the process used (user + system, ms): unlike the clock, barely moved by other processes on a loaded machine.
const cpuMs = () => {
  const { user, system } = process.cpuUsage();
  return ((user + system) / 1000).toFixed(0);
};
let cpuAtFirstBody = null;
let bodies = 0;
for (const mod of [http, https]) {
  const get = mod.get;
  mod.get = function (...args) {
    const req = get.apply(this, args);
    if (++bodies === 1) {
      mark('first-body-request');
      cpuAtFirstBody = cpuMs();
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
  for (const m of performance.getEntriesByType('mark')) if (m.name.startsWith('hubcap:')) marks.push([m.name.slice(7), m.startTime]);
  marks.sort((a, b) => a[1] - b[1]);
  const list = marks.map(([name, t]) => `${name} ${t.toFixed(0)}`).join(', ');
  const cpu = `cpu-ms-at-first-body ${cpuAtFirstBody}, cpu-ms-at-exit ${cpuMs()}`;
  process.stderr.write(`phases (ms since start): ${list}; ${cpu}; body requests ${bodies}, sockets ${sockets}\n`);
});
