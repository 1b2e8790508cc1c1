/**
 * Moving a cache that holds named pipes (put there by another program, or an attacker on a shared
 * cache): the move across drives finishes, copies only files, and never opens a pipe (which would
 * wait forever for a writer).
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { moveCache } from '../../src-main/cache/move';
import { A, writePythonRevision } from '../helpers/python-cache';
import { tmpfs } from '../helpers/mounts';
import { tmpDir } from '../helpers/tmp';
import { quickly } from '../helpers/deadline';

describe('moving a cache with special files in it', () => {
  it('copies across drives without opening a FIFO in blobs/ or at the top', async (ctx) => {
    const mount = tmpfs(ctx, 64, 'the cross-drive move test');
    const from = tmpDir();
    writePythonRevision(from, 'models--org--small', A, [{ path: 'w.gguf', data: Buffer.alloc(1000, 1), lfs: true }], { refs: ['main'] });
    execFileSync('mkfifo', [path.join(from, 'models--org--small', 'blobs', 'planted')]);
    execFileSync('mkfifo', [path.join(from, 'pipe-at-top')]);
    const to = path.join(mount, 'hub');
    const r = await quickly(moveCache(from, to), 10_000);
    expect(r.how).toBe('copy');
    const snapshot = path.join(to, 'models--org--small', 'snapshots', A, 'w.gguf');
    expect(fs.readFileSync(snapshot).equals(Buffer.alloc(1000, 1))).toBe(true);
    expect(fs.existsSync(path.join(to, 'models--org--small', 'blobs', 'planted'))).toBe(false);
    expect(fs.existsSync(path.join(to, 'pipe-at-top'))).toBe(false);
  });
});
