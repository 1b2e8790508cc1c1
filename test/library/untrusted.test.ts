/**
 * Untrusted local files without stalls: a hostile safetensors header is refused in milliseconds
 * (size cap, then a linear pre-scan of its shape), a big real one is parsed off the core's thread
 * while the event loop keeps turning, and the folder cap holds inside one folder.
 */
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { LocalRegistry, MAX_FOLDER_FILES } from '../../src-main/library/registry';
import { readSafetensorsHeader, SAFETENSORS_LIMITS } from '../../src-main/library/safetensors-header';
import { fileReadAt } from '../../src-main/library/read-file';
import { FormatError } from '../../src-main/library/format-error';
import { measured } from '../helpers/rss';
import { tmpDir } from '../helpers/tmp';

function writeSafetensors(file: string, header: string, dataBytes = 0): void {
  const len = Buffer.alloc(8);
  len.writeBigUInt64LE(BigInt(Buffer.byteLength(header)));
  fs.writeFileSync(file, Buffer.concat([len, Buffer.from(header), Buffer.alloc(dataBytes)]));
}

async function read(file: string) {
  const fh = await fs.promises.open(file, 'r');
  try {
    return await readSafetensorsHeader(fileReadAt(fh), (await fh.stat()).size);
  } finally {
    await fh.close();
  }
}

/** The longest pause of the event loop while `fn` runs. */
async function maxLag<T>(fn: () => Promise<T>): Promise<{ result: T; lagMs: number }> {
  let last = Date.now();
  let worst = 0;
  const t = setInterval(() => {
    const now = Date.now();
    worst = Math.max(worst, now - last);
    last = now;
  }, 5);
  try {
    const result = await fn();
    return { result, lagMs: worst };
  } finally {
    clearInterval(t);
  }
}

describe('hostile safetensors headers', () => {
  // First in the file: the hostile cases below leave garbage whose collection would show as lag.
  it('parses a large real-looking header off the core’s thread: the event loop never stalls', async () => {
    const tensors = 40_000;
    const entries: string[] = [];
    for (let i = 0; i < tensors; i++) entries.push(`"model.layers.${i}.mlp.weight":{"dtype":"F16","shape":[1],"data_offsets":[${i * 2},${i * 2 + 2}]}`);
    const header = `{"__metadata__":{"format":"pt"},${entries.join(',')}}`;
    expect(header.length).toBeGreaterThan(SAFETENSORS_LIMITS.inlineBytes);
    const file = path.join(tmpDir(), 'big.safetensors');
    writeSafetensors(file, header, tensors * 2);
    const { result, lagMs } = await maxLag(() => read(file));
    expect(result.tensors).toHaveLength(tensors);
    expect(result.parameters).toBe(tensors);
    expect(lagMs).toBeLessThan(150);
  });

  it('refuses a 100 MB header before reading it', async () => {
    const file = path.join(tmpDir(), 'huge.safetensors');
    const fh = fs.openSync(file, 'w');
    const len = Buffer.alloc(8);
    len.writeBigUInt64LE(100_000_000n);
    fs.writeSync(fh, len);
    fs.ftruncateSync(fh, 8 + 100_000_000);
    fs.closeSync(fh);
    const { result, riseMiB, ms } = await measured(() => read(file));
    expect(result).toBeInstanceOf(FormatError);
    expect((result as FormatError).problem).toBe('TOO_LARGE');
    expect(ms).toBeLessThan(500);
    expect(riseMiB).toBeLessThan(50);
  });

  it('refuses 20 MB of nested arrays, and 20 MB of one flat array, in a linear pre-scan', async () => {
    const nested = path.join(tmpDir(), 'nested.safetensors');
    writeSafetensors(nested, `{"a":${'['.repeat(10_000_000)}${']'.repeat(10_000_000)}}`);
    const flat = path.join(tmpDir(), 'flat.safetensors');
    writeSafetensors(flat, `{"a":{"dtype":"F16","shape":[${Array.from({ length: 4_000_000 }, () => '1').join(',')}],"data_offsets":[0,2]}}`, 2);
    for (const [file, why] of [
      [nested, /nests deeper than 3 levels/],
      [flat, /array of more than 64 items/],
    ] as const) {
      const { result, riseMiB, ms } = await measured(() => read(file));
      expect((result as FormatError).message).toMatch(why);
      expect(ms).toBeLessThan(3000);
      expect(riseMiB).toBeLessThan(200);
    }
  });
});

describe('dropped folders', () => {
  it('stops at the cap inside one folder and says so', async () => {
    const data = tmpDir();
    const dir = path.join(tmpDir(), 'many');
    fs.mkdirSync(dir);
    for (let i = 0; i < MAX_FOLDER_FILES + 50; i++) fs.writeFileSync(path.join(dir, `m${i}.gguf`), 'x');
    const registry = new LocalRegistry({ dataDir: data });
    const started = Date.now();
    const result = await registry.add([dir]);
    expect(result.added).toEqual([]);
    const note = result.skipped.find((s) => s.path === dir);
    expect(note?.reason).toMatch(
      new RegExp(`more than ${MAX_FOLDER_FILES.toLocaleString('en')} model files; only the first ${MAX_FOLDER_FILES.toLocaleString('en')} were looked at`),
    );
    expect(result.skipped.length).toBe(MAX_FOLDER_FILES + 1);
    expect(Date.now() - started).toBeLessThan(30_000);
  });
});
