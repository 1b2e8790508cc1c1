/**
 * `bin/hubcap.js`, the command people run: it turns on Node's compile cache where Node has one
 * (>= 22.1, Electron's Node) so the bundle is not compiled again at every start (#25), and on an
 * older Node runs exactly as before.
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import module from 'node:module';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { collect } from '../helpers/process';
import { tmpDir } from '../helpers/tmp';

const BIN = new URL('../../bin/hubcap.js', import.meta.url).pathname;
const BUILT = new URL('../../out/main/cli.js', import.meta.url).pathname;

describe('bin/hubcap.js', () => {
  it('runs the built CLI, keeping compiled code in NODE_COMPILE_CACHE where this Node can', async () => {
    if (!fs.existsSync(BUILT)) throw new Error('Build first (npm run build): bin/hubcap.js runs out/main/cli.js.');
    const cache = path.join(tmpDir(), 'compile-cache');
    const home = tmpDir();
    const p = spawn(process.execPath, [BIN, '--version'], {
      env: { PATH: process.env.PATH, HOME: home, HUBCAP_DATA_DIR: path.join(home, 'data'), NODE_COMPILE_CACHE: cache },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const { code, stdout, stderr } = await collect(p, 60_000);
    expect(code, stderr).toBe(0);
    expect(stdout).toMatch(/^\d+\.\d+\.\d+/);
    const canCache = typeof (module as { enableCompileCache?: unknown }).enableCompileCache === 'function';
    // Node 20 (this machine): no cache, and nothing written; Node >= 22.1: the bundle's compiled code.
    expect(fs.existsSync(cache) && fs.readdirSync(cache, { recursive: true }).length > 0).toBe(canCache);
  });
});
