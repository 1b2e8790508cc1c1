/**
 * The chunk hashes behind the Xet file hash (xet-chunk-hasher.ts): the worker (the wasm fallback),
 * reading chunks back from the descriptor, and the inline hasher (native or wasm) give the Xet file
 * hash xetchunk-wasm gives; chunks never added are read back and hashed at the end, and a changed
 * byte on disk changes the hash.
 */
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { createChunkHasher } from '../../src-main/downloads/xet-chunk-hasher';
import { chunkHash, xetFileHash } from '../../src-main/xet/hashes';
import { tmpDir } from '../helpers/tmp';

const lengths = Array.from({ length: 700 }, (_, i) => 40_000 + ((i * 7919) % 60_000));
const size = lengths.reduce((a, b) => a + b, 0);
const data = randomBytes(size);
const spans: [number, number][] = [];
for (let at = 0, i = 0; i < lengths.length; at += lengths[i] as number, i++) spans.push([at, lengths[i] as number]);
const expected = xetFileHash(spans.map(([at, n]) => ({ hash: chunkHash(data.subarray(at, at + n)), length: n })));

async function hashWith(offThread: boolean, addEvery: number, change?: number, native = false): Promise<string> {
  const file = path.join(tmpDir(), 'f.incomplete');
  fs.writeFileSync(file, data);
  const fd = fs.openSync(file, 'r+');
  if (change !== undefined) fs.writeSync(fd, Buffer.from([(data[change] as number) ^ 1]), 0, 1, change);
  const h = createChunkHasher(fd, size, offThread, native);
  try {
    spans.forEach(([at, n], i) => {
      if (i % addEvery === 0) h.add([at], n, i % 2 ? [data.subarray(at, at + n)] : [data.subarray(at, at + 100), data.subarray(at + 100, at + n)]);
    });
    return await h.fileHash(spans);
  } finally {
    await h.dispose();
    fs.closeSync(fd);
  }
}

describe('chunk hasher', () => {
  it('gives the Xet file hash in a worker and inline, with chunks never added read back', async () => {
    expect(size).toBeGreaterThan(32 << 20);
    expect(await hashWith(true, 1)).toBe(expected);
    expect(await hashWith(true, 3)).toBe(expected);
    expect(await hashWith(false, 2)).toBe(expected);
    expect(await hashWith(true, 1, undefined, true)).toBe(expected);
    expect(await hashWith(true, 4, undefined, true)).toBe(expected);
  });

  it('hashes what is on disk: a byte changed after the write changes the hash (worker)', async () => {
    expect(await hashWith(true, 1, 5_000_000)).not.toBe(expected);
  });

  it('holds the process while the worker finishes the file hash, and lets it exit after', () => {
    const file = path.join(tmpDir(), 'f');
    fs.writeFileSync(file, data);
    const script = path.join(tmpDir(), 'run.mts');
    const hasher = path.resolve('src-main/downloads/xet-chunk-hasher.ts');
    fs.writeFileSync(
      script,
      `import fs from 'node:fs';\nimport { createChunkHasher } from ${JSON.stringify(hasher)};\n` +
        `const h = createChunkHasher(fs.openSync(${JSON.stringify(file)}, 'r'), ${size}, true, false);\n` +
        `const hex = await h.fileHash(${JSON.stringify(spans)});\nawait h.dispose();\nconsole.log(hex);\n`,
    );
    // The wasm worker (no native blake3) with nothing else on the event loop: a worker that did not
    // hold the process while awaited would let it exit mid-await (13), one held after would hang it.
    const r = spawnSync(process.execPath, ['--import', 'tsx', script], { encoding: 'utf8', timeout: 60_000 });
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout.trim()).toBe(expected);
  });
});
