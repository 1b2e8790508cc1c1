/** The disk hasher: it reads the file back, so what is verified is what is on disk. */
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import os from 'node:os';
import { createDiskHasher, useHashThread, workerHashingUseful } from '../../src-main/downloads/hasher';
import { tmpDir } from '../helpers/tmp';

const data = Buffer.alloc(40 << 20);
for (let i = 0; i < data.length; i += 4096) data[i] = i & 0xff;

describe('disk hashers', () => {
  it('hash a file growing on disk the same on and off the main thread (sha256 and git blob sha1)', async () => {
    const sha256 = createHash('sha256').update(data).digest('hex');
    const gitSha1 = createHash('sha1').update(`blob ${data.length}\0`).update(data).digest('hex');
    // Small steps too: the worker is told in 1 MiB steps and at the end, whatever the writes' size.
    for (const [offThread, step] of [
      [false, 3 << 20],
      [true, 3 << 20],
      [true, 100_003],
    ] as const) {
      const file = path.join(tmpDir(), 'f');
      const fh = await fs.promises.open(file, 'w+');
      const a = createDiskHasher(fh.fd, 'f'.repeat(64), data.length, offThread);
      const b = createDiskHasher(fh.fd, 'f'.repeat(40), data.length, offThread);
      for (let i = 0; i < data.length; i += step) {
        const piece = data.subarray(i, i + step);
        await fh.write(piece, 0, piece.length, i);
        a.advance(i + piece.length);
        b.advance(i + piece.length);
      }
      expect(await a.digest()).toBe(sha256);
      expect(await b.digest()).toBe(gitSha1);
      await fh.close();
    }
  });

  it('sees bytes another writer changed on disk, not the bytes this one meant', async () => {
    const file = path.join(tmpDir(), 'f');
    const fh = await fs.promises.open(file, 'w+');
    await fh.write(data, 0, 1 << 20, 0);
    fs.writeFileSync(file, Buffer.alloc(1 << 20, 7)); // someone else overwrites the file in place
    const h = createDiskHasher(fh.fd, 'f'.repeat(64), 1 << 20, false);
    h.advance(1 << 20);
    expect(await h.digest()).toBe(
      createHash('sha256')
        .update(Buffer.alloc(1 << 20, 7))
        .digest('hex'),
    );
    await fh.close();
  });

  it('fails when the file is shorter than it should be', async () => {
    for (const offThread of [false, true]) {
      const file = path.join(tmpDir(), 'f');
      const fh = await fs.promises.open(file, 'w+');
      await fh.write(data, 0, 1000, 0);
      const h = createDiskHasher(fh.fd, 'f'.repeat(64), 2000, offThread);
      h.advance(2000);
      await expect(h.digest()).rejects.toThrow(/ended at 1000 bytes/);
      await h.dispose();
      await fh.close();
    }
  });
});

describe('where hashing runs', () => {
  it('follows HUBCAP_HASH_THREAD as the core passes it, else a second core decides', () => {
    expect(workerHashingUseful('worker')).toBe(true);
    expect(workerHashingUseful('inline')).toBe(false);
    expect(workerHashingUseful(null)).toBe(os.availableParallelism() >= 2);
    useHashThread('inline');
    try {
      expect(workerHashingUseful()).toBe(false);
    } finally {
      useHashThread(null);
    }
  });
});
