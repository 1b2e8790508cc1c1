/**
 * #24.7: `cache mv` while Python works. A Python that starts mid-move on a file the cache knows
 * waits for the move (every lock is held for all of it), then writes through the old path, which
 * now leads to the new place: nothing is split between two folders and nothing fails. The user is
 * told the exact line that points their shell at the new place.
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { hubCacheShellLine, moveCache } from '../../src-main/cache/move';
import { scanCache } from '../../src-main/cache/scan';
import { hfPython } from '../helpers/hf-python';
import { tmpDir } from '../helpers/tmp';
import { commitOf, pyBuild, pyLoad, pyScan, sha256, SHARED, twoRepos } from './hf2-store';

const ROUNDS = 4;
const SCRIPT = new URL('./hf2_store.py', import.meta.url).pathname;

/** Python's last steps of hf_hub_download into org/a, under the lock of a blob the cache already has. */
function pythonWriter(cache: string, data: Buffer) {
  const proc = spawn(hfPython(), [SCRIPT, 'write', cache, 'models--org--a', commitOf('a2'), 'late.gguf', data.toString('hex'), sha256(SHARED)], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  proc.stderr.on('data', (d: Buffer) => (err += d.toString()));
  const said = (word: string) =>
    new Promise<void>((resolve, reject) => {
      const check = () => out.includes(word) && resolve();
      proc.stdout.on('data', (d: Buffer) => {
        out += d.toString();
        check();
      });
      proc.once('exit', () => (out.includes(word) ? resolve() : reject(new Error(`python exited before "${word}": ${err}`))));
    });
  const waiting = said('waiting');
  const exited = new Promise<number | null>((resolve) => proc.once('exit', resolve));
  return { waiting, exited, stderr: () => err };
}

describe('cache mv while Python works', () => {
  it('a Python starting mid-move lands in the new place, in every one of 4 rounds', async () => {
    for (let round = 0; round < ROUNDS; round++) {
      const from = path.join(tmpDir(), 'hub');
      const to = path.join(tmpDir(), 'moved', 'hub');
      await pyBuild(from, twoRepos());
      const late = Buffer.alloc(1234, round + 1);
      let py: ReturnType<typeof pythonWriter> | null = null;
      const result = await moveCache(from, to, {
        // Mid-move: after the first folder went, Python starts and reaches for a lock the move holds.
        onStep: async () => {
          if (py) return;
          py = pythonWriter(from, late);
          await py.waiting;
        },
      });
      const writer = py as ReturnType<typeof pythonWriter> | null;
      expect(await writer?.exited, writer?.stderr()).toBe(0);
      expect(result.leftLink).toBe(true);
      expect(fs.lstatSync(from).isSymbolicLink()).toBe(true);
      expect(fs.realpathSync(from)).toBe(fs.realpathSync(to));
      // One cache, whole: Python's late file is in the new place, read back by Python itself there.
      const repo = scanCache(to).repos.find((r) => r.id === 'org/a');
      expect(repo?.revisions.map((v) => v.commit).sort()).toEqual([commitOf('a1'), commitOf('a2')].sort());
      expect(await pyLoad(to, 'org/a', 'late.gguf')).toBe(sha256(late));
      expect((await pyScan(to)).warnings).toEqual([]);
    }
  }, 120_000);

  it('says the exact line that points the shell at the new place', () => {
    expect(hubCacheShellLine("/mnt/big/it's hub", '/bin/bash', 'linux')).toBe(`export HF_HUB_CACHE='/mnt/big/it'\\''s hub'  # in ~/.bashrc to keep it`);
    expect(hubCacheShellLine('/mnt/hub', '/usr/bin/zsh', 'darwin')).toBe(`export HF_HUB_CACHE='/mnt/hub'  # in ~/.zshrc to keep it`);
    expect(hubCacheShellLine('/mnt/hub', '/usr/bin/fish', 'linux')).toBe(`set -Ux HF_HUB_CACHE '/mnt/hub'`);
    expect(hubCacheShellLine('D:\\hub', '', 'win32')).toBe(`[Environment]::SetEnvironmentVariable('HF_HUB_CACHE', 'D:\\hub', 'User')`);
  });
});
