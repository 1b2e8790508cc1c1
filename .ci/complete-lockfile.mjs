#!/usr/bin/env node
/**
 * The npm mirror of this workplace lacks other platforms' optional binaries (e.g.
 * @tailwindcss/oxide-win32-x64-msvc answers 404), so `npm install` leaves them out of
 * package-lock.json and `npm ci` then rejects the lock as "Missing: … from lock file". This adds a
 * lock entry (version, os, cpu, optional) for every optional dependency the lock lacks, which is
 * what the public registry would have recorded; npm skips them on other platforms as usual.
 * Run after any `npm install` that changes the lock: `npm run lock:complete`.
 */
import fs from 'node:fs';

const file = new URL('../package-lock.json', import.meta.url);
const lock = JSON.parse(fs.readFileSync(file, 'utf8'));
const pkgs = lock.packages;

function platformOf(name) {
  const os = /win(32)?-|windows/.test(name)
    ? 'win32'
    : /darwin|mac-/.test(name)
      ? 'darwin'
      : /freebsd/.test(name)
        ? 'freebsd'
        : /android/.test(name)
          ? 'android'
          : /linux/.test(name)
            ? 'linux'
            : null;
  const cpu = /arm64/.test(name) ? 'arm64' : /armv7l|arm-gnueabihf/.test(name) ? 'arm' : /riscv64/.test(name) ? 'riscv64' : /x64/.test(name) ? 'x64' : null;
  return { ...(os ? { os: [os] } : {}), ...(cpu ? { cpu: [cpu] } : {}) };
}

let added = 0;
for (const [key, entry] of Object.entries(pkgs)) {
  for (const [name, spec] of Object.entries(entry.optionalDependencies ?? {})) {
    if (pkgs[`${key}/node_modules/${name}`] || pkgs[`node_modules/${name}`]) continue;
    pkgs[`node_modules/${name}`] = {
      version: String(spec).replace(/^[\^~=]/, ''),
      ...(entry.dev ? { dev: true } : {}),
      ...(entry.devOptional ? { devOptional: true } : {}),
      optional: true,
      ...platformOf(name),
    };
    added += 1;
  }
}
lock.packages = Object.fromEntries(Object.entries(pkgs).sort(([a], [b]) => (a === '' ? -1 : b === '' ? 1 : a.localeCompare(b))));
fs.writeFileSync(file, `${JSON.stringify(lock, null, 2)}\n`);
console.log(`complete-lockfile: added ${added} optional platform entr${added === 1 ? 'y' : 'ies'}`);
