import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { LocalRegistry } from '../../src-main/library/registry';
import { libraryItems, SummaryCache } from '../../src-main/library/service';
import { scanCache } from '../../src-main/cache/scan';
import { sampleGguf } from '../fixtures/gguf-writer';
import { commitOf, writePythonRevision } from '../helpers/python-cache';
import { tmpDir } from '../helpers/tmp';

function put(dir: string, name: string, data: Buffer | string): string {
  const p = path.join(dir, name);
  fs.mkdirSync(path.dirname(p), { recursive: true });
  fs.writeFileSync(p, data);
  return p;
}

function safetensors(): Buffer {
  const json = Buffer.from(JSON.stringify({ w: { dtype: 'F32', shape: [2], data_offsets: [0, 8] } }));
  const len = Buffer.alloc(8);
  len.writeBigUInt64LE(BigInt(json.length));
  return Buffer.concat([len, json, Buffer.alloc(8)]);
}

describe('local checkpoints', () => {
  it('registers files in place, reading their headers', async () => {
    const dir = tmpDir();
    const reg = new LocalRegistry({ dataDir: tmpDir() });
    const gguf = put(dir, 'my-model-Q4_K_M.gguf', sampleGguf({ fileType: 15 }));
    const st = put(dir, 'lora.safetensors', safetensors());
    const r = await reg.add([gguf, st]);
    expect(r.skipped).toEqual([]);
    expect(r.added.map((i) => [i.name, i.kind, i.path, i.summary?.quantization])).toEqual([
      ['my-model-Q4_K_M.gguf', 'gguf', gguf, 'Q4_K_M'],
      ['lora.safetensors', 'safetensors', st, null],
    ]);
    // No copy, no link: the only copies are the user's.
    expect(fs.readdirSync(dir).sort()).toEqual(['lora.safetensors', 'my-model-Q4_K_M.gguf']);
  });

  it('gives one specific reason per bad input and registers nothing for it', async () => {
    const dir = tmpDir();
    const reg = new LocalRegistry({ dataDir: tmpDir() });
    const wrongMagic = put(dir, 'fake.gguf', 'PK\x03\x04 zip');
    const truncated = put(dir, 'cut.gguf', sampleGguf().subarray(0, 60));
    const absurd = Buffer.alloc(16);
    absurd.writeBigUInt64LE(BigInt(2) ** BigInt(60));
    const hugeHeader = put(dir, 'big.safetensors', absurd);
    const text = put(dir, 'notes.txt', 'hello');
    const empty = path.join(dir, 'empty');
    fs.mkdirSync(empty);
    const r = await reg.add([wrongMagic, truncated, hugeHeader, text, empty, 'relative.gguf', path.join(dir, 'gone.gguf')]);
    expect(r.added).toEqual([]);
    const reasons = Object.fromEntries(r.skipped.map((s) => [path.basename(s.path), s.reason]));
    expect(reasons['fake.gguf']).toMatch(/Not a GGUF file/);
    expect(reasons['cut.gguf']).toMatch(/truncated/);
    expect(reasons['big.safetensors']).toMatch(/implausibly large/);
    expect(reasons['notes.txt']).toMatch(/Only .gguf and .safetensors/);
    expect(reasons.empty).toMatch(/no .gguf or .safetensors/);
    expect(reasons['relative.gguf']).toMatch(/Not a full path/);
    expect(reasons['gone.gguf']).toMatch(/does not exist/);
    expect(reg.list()).toEqual([]);
  });

  it('groups a split GGUF, and refuses one with a part missing', async () => {
    const dir = tmpDir();
    const reg = new LocalRegistry({ dataDir: tmpDir() });
    for (const i of [1, 2, 3]) put(dir, `big-0000${i}-of-00003.gguf`, sampleGguf({ name: `p${i}` }));
    const r = await reg.add([dir]);
    expect(r.added).toHaveLength(1);
    expect(r.added[0]).toMatchObject({ name: 'big.gguf', parts: 3 });
    const other = tmpDir();
    put(other, 'half-00001-of-00002.gguf', sampleGguf());
    expect((await reg.add([other])).skipped[0]?.reason).toMatch(/Part 2 of 2 is missing/);
  });

  it('recognises a file already registered, the same bytes elsewhere, and one already in the cache', async () => {
    const dir = tmpDir();
    const reg = new LocalRegistry({ dataDir: tmpDir() });
    const a = put(dir, 'a.gguf', sampleGguf({ name: 'A' }));
    await reg.add([a]);
    expect((await reg.add([a])).skipped[0]?.reason).toMatch(/Already in your Library/);
    const copy = put(tmpDir(), 'copy.gguf', sampleGguf({ name: 'A' }));
    expect((await reg.add([copy])).skipped[0]?.reason).toMatch(/same file is already in your Library as a.gguf/);
    const cached = sampleGguf({ name: 'cached' });
    const sha = createHash('sha256').update(cached).digest('hex');
    const withCache = new LocalRegistry({
      dataDir: tmpDir(),
      cacheBlobsOfSize: (size) => (size === cached.length ? [{ sha256: sha, label: 'org/m/model.gguf' }] : []),
    });
    expect((await withCache.add([put(tmpDir(), 'x.gguf', cached)])).skipped[0]?.reason).toMatch(/already in the Hugging Face cache \(org\/m\/model.gguf\)/);
  });

  it('shows a vanished file as missing, survives restarts, and forgets or deletes on request', async () => {
    const data = tmpDir();
    const dir = tmpDir();
    const a = put(dir, 'a.gguf', sampleGguf({ name: 'A' }));
    const b = put(dir, 'b.gguf', sampleGguf({ name: 'B' }));
    const reg = new LocalRegistry({ dataDir: data });
    await reg.add([a, b]);
    fs.rmSync(a);
    const again = new LocalRegistry({ dataDir: data });
    expect(again.list().map((i) => [i.name, i.missing])).toEqual([
      ['a.gguf', true],
      ['b.gguf', false],
    ]);
    const [ia, ib] = again.list();
    await again.remove((ia?.key as string).slice(6), false);
    await again.remove((ib?.key as string).slice(6), true);
    expect(fs.existsSync(b)).toBe(false);
    expect(new LocalRegistry({ dataDir: data }).list()).toEqual([]);
  });
});

describe('the Library', () => {
  it('copies or moves a checkpoint into the managed folder, all or nothing', async () => {
    const dir = tmpDir();
    const managed = path.join(tmpDir(), 'models');
    const reg = new LocalRegistry({ dataDir: tmpDir(), managedDir: managed });
    const a = put(dir, 'copy-me.gguf', sampleGguf({ name: 'A' }));
    const b1 = put(dir, 'split-00001-of-00002.gguf', sampleGguf({ name: 'B', tensors: 2 }));
    const b2 = put(dir, 'split-00002-of-00002.gguf', sampleGguf({ name: 'B', tensors: 1 }));
    const { added } = await reg.add([a, b1, b2]);
    const single = added.find((i) => i.name === 'copy-me.gguf');
    const split = added.find((i) => i.parts === 2);
    const copied = await reg.relocate(single?.key.slice(6) as string, 'copy');
    expect(copied.path.startsWith(managed)).toBe(true);
    expect(copied.inHubcapFolder).toBe(true);
    expect(single?.inHubcapFolder).toBe(false);
    expect(fs.readFileSync(copied.path)).toEqual(fs.readFileSync(a));
    expect(fs.existsSync(a)).toBe(true);
    await expect(reg.relocate(single?.key.slice(6) as string, 'copy')).rejects.toMatchObject({ code: 'CONFLICT' });
    const moved = await reg.relocate(split?.key.slice(6) as string, 'move');
    expect(moved.parts).toBe(2);
    expect(fs.existsSync(b1) || fs.existsSync(b2)).toBe(false);
    expect(fs.readdirSync(path.dirname(moved.path)).sort()).toEqual(['split-00001-of-00002.gguf', 'split-00002-of-00002.gguf']);
    // A part gone missing is refused before anything is written; the entry is unchanged.
    const c1 = put(dir, 'gone-00001-of-00002.gguf', sampleGguf({ name: 'C', tensors: 2 }));
    const c2 = put(dir, 'gone-00002-of-00002.gguf', sampleGguf({ name: 'C', tensors: 1 }));
    const c = (await reg.add([c1, c2])).added[0];
    fs.rmSync(c2);
    await expect(reg.relocate(c?.key.slice(6) as string, 'copy')).rejects.toMatchObject({
      code: 'INVALID_PATH',
      message: expect.stringMatching(/missing/),
    });
    expect(fs.existsSync(path.join(managed, c?.key.slice(6) as string))).toBe(false);
    expect(reg.list().find((i) => i.key === c?.key)?.path).toBe(fs.realpathSync(c1));
  });

  it('lists cached GGUF models (split ones as one) beside local checkpoints, with header summaries', async () => {
    const cache = tmpDir();
    const c = commitOf('lib');
    writePythonRevision(
      cache,
      'models--org--llm',
      c,
      [
        { path: 'llm-Q8_0.gguf', data: sampleGguf({ fileType: 7 }), lfs: true },
        { path: 'split/llm-00001-of-00002.gguf', data: sampleGguf({ name: 's1' }), lfs: true },
        { path: 'split/llm-00002-of-00002.gguf', data: sampleGguf({ name: 's2' }), lfs: true },
        { path: 'mmproj-f16.gguf', data: sampleGguf(), lfs: true },
        { path: 'config.json', data: '{}' },
      ],
      { refs: ['main'] },
    );
    const reg = new LocalRegistry({ dataDir: tmpDir() });
    await reg.add([put(tmpDir(), 'mine.gguf', sampleGguf({ name: 'mine' }))]);
    const items = await libraryItems(scanCache(cache), reg, new SummaryCache(), () => null);
    expect(items.map((i) => [i.source, i.name, i.parts, i.repo, i.revision, i.summary?.quantization])).toEqual([
      ['local', 'mine.gguf', 1, null, null, 'Q4_K_M'],
      ['cache', 'llm-Q8_0.gguf', 1, 'org/llm', 'main', 'Q8_0'],
      ['cache', 'llm.gguf', 2, 'org/llm', 'main', 'Q4_K_M'],
    ]);
  });
});
