#!/usr/bin/env node
// Entry point of the `hubcap` command: runs the built CLI (plain Node, no Electron).
import { existsSync } from 'node:fs';

const cli = new URL('../out/main/cli.js', import.meta.url);
if (!existsSync(cli)) {
  process.stderr.write('hubcap: not built yet; run `npm run build` in the Hubcap folder first.\n');
  process.exit(1);
}
await import(cli.href);
