#!/usr/bin/env node
// Entry point of the `hubcap` command: runs the built CLI (plain Node, no Electron).
import { existsSync } from 'node:fs';
import module from 'node:module';

// Node >= 22.1 (and Electron's Node) can keep the compiled bundle between runs (in its own folder
// under the OS temp dir; NODE_DISABLE_COMPILE_CACHE=1 turns it off): most of a short command's
// time is loading code (#25). Older Node has no such function: nothing happens. A cache that
// cannot be written (read-only temp dir) is reported in the returned status, never thrown.
try {
  module.enableCompileCache?.();
} catch {
  // A failed cache must never stop the command.
}

const cli = new URL('../out/main/cli.js', import.meta.url);
if (!existsSync(cli)) {
  process.stderr.write('hubcap: not built yet; run `npm run build` in the Hubcap folder first.\n');
  process.exit(1);
}
await import(cli.href);
