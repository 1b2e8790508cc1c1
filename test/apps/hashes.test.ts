import fs from 'node:fs';
import path from 'node:path';
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { FileHashes } from '../../src-main/apps/hashes';
import { tmpDir } from '../helpers/tmp';

describe('hashes of other apps’ files', () => {
  it('hashes once and remembers by path, size and mtime, across restarts', async () => {
    const data = tmpDir();
    const file = path.join(tmpDir(), 'm.gguf');
    fs.writeFileSync(file, Buffer.alloc(3 << 20, 1));
    const expected = createHash('sha256').update(fs.readFileSync(file)).digest('hex');
    let reads = 0;
    expect(await new FileHashes(data).sha256(file, () => reads++)).toBe(expected);
    expect(reads).toBeGreaterThan(0);
    reads = 0;
    expect(await new FileHashes(data).sha256(file, () => reads++)).toBe(expected);
    expect(reads).toBe(0);
    // Changed since: hashed again.
    fs.appendFileSync(file, 'x');
    expect(await new FileHashes(data).sha256(file, () => reads++)).not.toBe(expected);
    expect(reads).toBeGreaterThan(0);
  });

  it('refuses a file that changes while it is read (another app still writing it), and remembers nothing', async () => {
    const data = tmpDir();
    const file = path.join(tmpDir(), 'growing.gguf');
    fs.writeFileSync(file, Buffer.alloc(16 << 20, 2));
    const hashes = new FileHashes(data);
    let appended = false;
    await expect(
      hashes.sha256(file, () => {
        if (appended) return;
        appended = true;
        fs.appendFileSync(file, Buffer.alloc(1024));
      }),
    ).rejects.toMatchObject({ code: 'CONFLICT', message: expect.stringMatching(/changed while it was being read/) });
    expect(hashes.known(file, fs.statSync(file))).toBeNull();
    expect(fs.existsSync(path.join(data, 'file-hashes.json'))).toBe(false);
  });

  it('hashes a big file off the core’s thread, with progress, and stops when asked', async () => {
    const data = tmpDir();
    const file = path.join(tmpDir(), 'big.gguf');
    fs.writeFileSync(file, Buffer.alloc(96 << 20, 5));
    const expected = createHash('sha256').update(fs.readFileSync(file)).digest('hex');
    const seen: number[] = [];
    expect(await new FileHashes(data).sha256(file, (done) => seen.push(done))).toBe(expected);
    expect(seen.at(-1)).toBe(96 << 20);
    const controller = new AbortController();
    const hashing = new FileHashes(tmpDir()).sha256(file, undefined, controller.signal);
    controller.abort();
    await expect(hashing).rejects.toThrow();
  });

  it('writes the record once for a batch of files (a scan), and remembers all of them after', async () => {
    const data = tmpDir();
    const dir = tmpDir();
    const files = [1, 2, 3].map((i) => {
      const f = path.join(dir, `m${i}.gguf`);
      fs.writeFileSync(f, `model ${i}`);
      return f;
    });
    const hashes = new FileHashes(data);
    const record = path.join(data, 'file-hashes.json');
    await hashes.batch(async () => {
      for (const f of files) await hashes.sha256(f);
      expect(fs.existsSync(record)).toBe(false);
    });
    const again = new FileHashes(data);
    for (const f of files) expect(again.known(f, fs.statSync(f))).toBe(createHash('sha256').update(fs.readFileSync(f)).digest('hex'));
  });
});
