/** The disk hasher: it reads the file back, so what is verified is what is on disk. */
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import os from 'node:os';
import { createDiskHasher, type DiskHasher, useHashThread, workerHashingUseful } from '../../src-main/downloads/hasher';
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

type Job = { fd: number; bytes: Buffer; h: DiskHasher };

describe('the shared hashing worker', () => {
  it('hashes several files at once, and one disposed mid-way leaves the others right', async () => {
    const sha256 = (b: Buffer) => createHash('sha256').update(b).digest('hex');
    const files = [0, 1, 2].map((k) => {
      const file = path.join(tmpDir(), `f${k}`);
      const bytes = Buffer.from(data.subarray(0, (12 << 20) + k * 1001));
      bytes[k] = 0xee;
      fs.writeFileSync(file, bytes);
      return { fd: fs.openSync(file, 'r'), bytes };
    });
    const [a, b, c] = files.map((f) => ({ ...f, h: createDiskHasher(f.fd, 'f'.repeat(64), f.bytes.length, true) })) as [Job, Job, Job];
    b.h.advance(3 << 20);
    await b.h.dispose();
    fs.closeSync(b.fd);
    for (const j of [a, c]) j.h.advance(j.bytes.length);
    expect(await a.h.digest()).toBe(sha256(a.bytes));
    expect(await c.h.digest()).toBe(sha256(c.bytes));
    for (const j of [a, c]) fs.closeSync(j.fd);
  });

  it('holds the process while a digest is awaited, and lets it exit after', () => {
    const file = path.join(tmpDir(), 'f');
    fs.writeFileSync(file, data.subarray(0, 9 << 20));
    const script = path.join(tmpDir(), 'run.mts');
    const hasher = path.resolve('src-main/downloads/hasher.ts');
    fs.writeFileSync(
      script,
      `import fs from 'node:fs';\nimport { createDiskHasher } from ${JSON.stringify(hasher)};\n` +
        `const h = createDiskHasher(fs.openSync(${JSON.stringify(file)}, 'r'), 'f'.repeat(64), ${9 << 20}, true);\n` +
        `h.advance(${9 << 20});\nconsole.log(await h.digest());\n`,
    );
    // Nothing else holds the event loop: an unref'd worker would let it exit before the answer (13),
    // a ref'd one would never let it exit (the timeout).
    const r = spawnSync(process.execPath, ['--import', 'tsx', script], { encoding: 'utf8', timeout: 60_000 });
    expect(r.status).toBe(0);
    expect(r.stdout.trim()).toBe(
      createHash('sha256')
        .update(data.subarray(0, 9 << 20))
        .digest('hex'),
    );
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
