/**
 * base/lazy-package.ts: a package is required at the first call of its loader, once, and a load
 * that fails is tried again at the next call (a fallback such as xet/hashes.ts's decides what a
 * failure means). Laziness is checked in a fresh process, where nothing else has loaded it.
 */
import { spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { lazyPackage } from '../../src-main/base/lazy-package';
import { collect } from '../helpers/process';

const MODULE = path.join(import.meta.dirname, '../../src-main/base/lazy-package.ts');

describe('lazyPackage', () => {
  it('requires the package at the first call only, and returns that module every time', async () => {
    const script = `
      import { createRequire } from 'node:module';
      const { lazyPackage } = await import(${JSON.stringify(MODULE)});
      const require = createRequire(${JSON.stringify(MODULE)});
      const file = require.resolve('fd-lock');
      const loaded = () => file in require.cache;
      const fdLock = lazyPackage('fd-lock');
      const before = loaded();
      const first = fdLock();
      console.log(JSON.stringify({ before, after: loaded(), same: fdLock() === first && first === require('fd-lock'), fn: typeof first }));
    `;
    const p = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { stdio: ['ignore', 'pipe', 'pipe'] });
    const { code, stdout, stderr } = await collect(p, 60_000);
    expect(code, stderr).toBe(0);
    expect(JSON.parse(stdout)).toEqual({ before: false, after: true, same: true, fn: 'function' });
  }, 60_000);

  it('is the module `require` gives', () => {
    expect(lazyPackage('lz4-napi')()).toBe(createRequire(import.meta.url)('lz4-napi'));
  });

  it('a package that cannot load throws at each call, not at the loader’s making', () => {
    const missing = lazyPackage('hubcap-no-such-package');
    for (let i = 0; i < 2; i++) expect(missing).toThrow(/Cannot find module 'hubcap-no-such-package'/);
  });
});
