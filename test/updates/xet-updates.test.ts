/**
 * Updates over Xet (#26.2, #26.3): the bytes an update would move come from the download engine's
 * delta estimate (chunks of the old copy reused), the update itself moves about that much through
 * the fake CAS, and an old copy that no longer matches its sha256 is said to give nothing.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { forgetHashes } from '../../src-main/cache/payload-hash';
import { forgetChunkRecords, keepChunkRecordsIn } from '../../src-main/downloads/xet-chunk-records';
import { MiB } from '../fakehub/fixtures';
import { buildRepo } from '../fakehub/model';
import { ggufWithTemplate } from '../fakehub/xet/delta';
import type { FakeHub } from '../fakehub/server';
import { fakeHub } from '../helpers/hub';
import { tmpDir } from '../helpers/tmp';
import { setup } from './setup';

const KEY = 'model:acme/xet-llm';
const SIZE = 8 * MiB;
const xorbBytes = (hub: FakeHub) => (hub.xet?.cas.log ?? []).filter((q) => q.url.startsWith('/xorbs/')).reduce((n, q) => n + (q.bytes ?? 0), 0);

beforeEach(() => {
  forgetChunkRecords();
  forgetHashes();
  keepChunkRecordsIn(path.join(tmpDir(), 'xet-chunks'));
});
afterEach(() => forgetChunkRecords());

async function xetSetup(engine: Parameters<typeof setup>[1] = {}) {
  const repo = buildRepo({ id: 'acme/xet-llm', commits: [{ files: { 'model.gguf': ggufWithTemplate(SIZE, '{{ old }}'), 'config.json': '{}' } }] });
  const hub = await fakeHub({ repos: [repo], storageHost: '127.0.0.2', xet: {} });
  const s = setup(hub, engine);
  expect((await s.fetchRepo(repo.id)).state).toBe('done');
  await expect.poll(() => (hub.xet?.cas.log ?? []).filter((q) => q.url.startsWith('/xorbs/')).every((q) => q.bytes !== undefined)).toBe(true);
  return { hub, s };
}

describe('updates over Xet', () => {
  it('a chat template fix in an 8 MiB GGUF: the estimate and the update move a few percent, not the file', { timeout: 120_000 }, async () => {
    const { hub, s } = await xetSetup();
    const pushed = hub.push('acme/xet-llm', {
      title: 'Fix template',
      files: { 'model.gguf': ggufWithTemplate(SIZE, '{% for m in messages %}{{ m.content }}{% endfor %}') },
    });
    const d = await s.svc.details(KEY);
    expect(d.estimate).toBe('xet-chunks');
    expect(d.files.find((f) => f.path === 'model.gguf')?.gguf?.[0]).toMatchObject({ key: 'tokenizer.chat_template', change: 'changed' });
    expect(d.bytesToTravel).toBeLessThan(SIZE * 0.05);
    const before = xorbBytes(hub);
    await s.svc.apply(KEY);
    await s.idle();
    expect(s.ref('acme/xet-llm')).toBe(pushed.sha);
    await expect.poll(() => (hub.xet?.cas.log ?? []).filter((q) => q.url.startsWith('/xorbs/')).every((q) => q.bytes !== undefined)).toBe(true);
    const moved = xorbBytes(hub) - before;
    expect(moved).toBeLessThan(SIZE * 0.05);
    // The estimate said what really travelled (within a chunk or two of framing).
    expect(Math.abs(moved - d.bytesToTravel)).toBeLessThan(256 << 10);
  });

  it('an old copy that no longer matches its sha256: nothing reused, and said', { timeout: 120_000 }, async () => {
    const { hub, s } = await xetSetup();
    hub.push('acme/xet-llm', { files: { 'model.gguf': ggufWithTemplate(SIZE, '{{ new }}') } });
    const blobs = path.join(s.cache, 'models--acme--xet-llm', 'blobs');
    const blob = fs
      .readdirSync(blobs)
      .map((b) => path.join(blobs, b))
      .find((b) => fs.statSync(b).size === SIZE) as string;
    const fd = fs.openSync(blob, 'r+');
    fs.writeSync(fd, Buffer.from('corrupt'), 0, 7, SIZE / 2);
    fs.closeSync(fd);
    const d = await s.svc.details(KEY);
    expect(d.files.find((f) => f.path === 'model.gguf')?.note).toMatch(/no longer matches its sha256: nothing is reused/);
    expect(d.bytesToTravel).toBeGreaterThan(SIZE * 0.9);
    // The update's download job carries it too, for the Downloads page and --json (#26.6).
    const started = await s.svc.apply(KEY);
    await s.idle();
    const job = s.jobs().find((j) => j.id === started.running?.jobId);
    const file = job?.files.find((f) => f.path === 'model.gguf');
    expect(file?.staleSources).toEqual([blob]);
    expect(file?.reusedBytes).toBeUndefined();
  });
  it(
    "in a cache with huggingface_hub 2.x's shared blob store, the GGUF header is still read (its link leads into the store)",
    { timeout: 120_000 },
    async () => {
      const { hub, s } = await xetSetup({ engine: { sharedStore: () => ({ disabled: false, create: true }) } });
      expect(fs.existsSync(path.join(s.cache, 'blobs', '.huggingface-shared-blobs'))).toBe(true);
      hub.push('acme/xet-llm', { files: { 'model.gguf': ggufWithTemplate(SIZE, '{{ stored }}') } });
      const d = await s.svc.details(KEY);
      const gguf = d.files.find((f) => f.path === 'model.gguf');
      expect(gguf?.ggufNote).toBeUndefined();
      expect(gguf?.gguf?.[0]).toMatchObject({ key: 'tokenizer.chat_template', before: '{{ old }}', after: '{{ stored }}' });
    },
  );
});
