/**
 * Model updates by delta (#26.3, #25.4's open door): a new revision of a Xet file is fetched with
 * every chunk the old copy holds taken from disk, proven by the fake CAS's log of xorb bytes sent.
 * The old copy is ours (its terms recorded when it was downloaded) or learned from the CAS (terms
 * forgotten, as for a file Python downloaded); a copy that no longer matches its sha256 gives
 * nothing and is named; one that changes between its check and its read fails the new file's
 * sha256, and the retry fetches everything.
 */
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { savedBytes } from '../../src-main/contract/downloads';
import { forgetHashes } from '../../src-main/cache/payload-hash';
import { estimateDelta } from '../../src-main/downloads/xet-delta-estimate';
import { forgetChunkRecords, keepChunkRecordsIn } from '../../src-main/downloads/xet-chunk-records';
import { LocalChunks } from '../../src-main/downloads/xet-local-chunks';
import { fetchIntoPath } from '../../src-main/downloads/verified-fetch';
import { xetRefreshUrl } from '../../src-main/downloads/xet-blob';
import type { Content } from '../fakehub/content';
import { MiB } from '../fakehub/fixtures';
import { buildRepo, type FakeRepo } from '../fakehub/model';
import type { FakeHub } from '../fakehub/server';
import { ggufWithTemplate, pushRevision, regionReplaced } from '../fakehub/xet/delta';
import { noiseContent } from '../fakehub/xet/fixtures';
import { download, fakeHub, hubHttp, manager } from '../helpers/hub';
import { runHfPython } from '../helpers/hf-python';
import { tmpDir } from '../helpers/tmp';

const FILE = 'model.safetensors';
const sha = (c: Content) => createHash('sha256').update(c.read(0, c.size)).digest('hex');

function xorbBytes(hub: FakeHub): number {
  return (hub.xet?.cas.log ?? []).filter((q) => q.url.startsWith('/xorbs/')).reduce((n, q) => n + (q.bytes ?? 0), 0);
}

async function settled(hub: FakeHub): Promise<void> {
  await expect
    .poll(() => (hub.xet?.cas.log ?? []).filter((q) => q.url.startsWith('/xorbs/')).every((q) => q.bytes !== undefined), { timeout: 10_000 })
    .toBe(true);
}

async function setup(files: Record<string, Content>) {
  const repo: FakeRepo = buildRepo({ id: 'acme/delta-model', commits: [{ files }] });
  const hub = await fakeHub({ repos: [repo], storageHost: '127.0.0.2', xet: {} });
  const { m, cache } = manager(hubHttp(hub));
  const first = await download(m, { repo: repo.id });
  expect(first.state).toBe('done');
  await settled(hub);
  return { repo, hub, m, cache, oldCommit: first.commit as string };
}

const blobOf = (cache: string, c: Content) => path.join(cache, 'models--acme--delta-model', 'blobs', sha(c));

beforeEach(() => {
  forgetChunkRecords();
  forgetHashes();
  keepChunkRecordsIn(path.join(tmpDir(), 'xet-chunks'));
});
afterEach(() => forgetChunkRecords());

describe('delta updates of Xet files', () => {
  it('a 64 MiB file with 256 KiB replaced in the middle: under 5 % travels, the rest comes from the old copy', { timeout: 120_000 }, async () => {
    const size = 64 * MiB;
    const old = noiseContent('delta-64', size);
    const { repo, hub, m, cache } = await setup({ [FILE]: old });
    const before = xorbBytes(hub);
    expect(before).toBeGreaterThan(size);
    const next = regionReplaced(old, 32 * MiB + 12_345, 256 << 10);
    pushRevision(repo, { [FILE]: next }, 'Fix a tensor');

    const estimate = await estimateDelta(
      hubHttp(hub),
      {
        cacheDir: cache,
        repo: { type: 'model', id: repo.id },
        commit: repo.refs.get('main') as string,
        files: [{ path: FILE, size, etag: sha(next), xetHash: hub.xet?.fileOf(repo, repo.commits[1]?.files.get(FILE) as never)?.hash as string }],
      },
      { signal: new AbortController().signal },
    );
    const job = await download(m, { repo: repo.id });
    expect(job.state, JSON.stringify(job.error)).toBe('done');
    await settled(hub);
    const moved = xorbBytes(hub) - before;
    expect(moved).toBeLessThan(size * 0.05);
    expect(moved).toBeGreaterThan(256 << 10);
    // The estimate said, before a byte moved, what then moved.
    expect(estimate.files[0]?.how).toBe('delta');
    expect(estimate.downloadBytes).toBe(moved);
    const file = job.files.find((f) => f.path === FILE);
    expect(file?.via).toBe('xet');
    expect(file?.reusedBytes).toBeGreaterThan(size * 0.95);
    expect(savedBytes(job.files)).toBe(file?.reusedBytes);
    const blob = blobOf(cache, next);
    expect(createHash('sha256').update(fs.readFileSync(blob)).digest('hex')).toBe(sha(next));
  });

  it(
    'learns the old copy from the CAS when nothing recorded it (a file Python downloaded), and a GGUF header edit moves under 2 %',
    { timeout: 120_000 },
    async () => {
      const size = 48 * MiB;
      const old = ggufWithTemplate(size, '{% for m in messages %}{{ m.content }}{% endfor %}');
      const { repo, hub, m, cache } = await setup({ 'model-Q4_K_M.gguf': old });
      // As if another program had downloaded it: no record of its terms.
      forgetChunkRecords();
      keepChunkRecordsIn(path.join(tmpDir(), 'other-records'));
      const before = xorbBytes(hub);
      const next = ggufWithTemplate(size, '{% for m in messages %}<|{{ m.role }}|>{{ m.content }}<|end|>{% endfor %}');
      pushRevision(repo, { 'model-Q4_K_M.gguf': next }, 'Fix the chat template');
      const job = await download(m, { repo: repo.id });
      expect(job.state, JSON.stringify(job.error)).toBe('done');
      await settled(hub);
      expect(xorbBytes(hub) - before).toBeLessThan(size * 0.02);
      // Its reconstruction was asked for by its Xet hash (the trees/ record knew it).
      const oldHash = hub.xet?.fileOf(repo, repo.commits[0]?.files.get('model-Q4_K_M.gguf') as never)?.hash as string;
      expect(hub.xet?.cas.log.some((q) => q.url.includes(`/reconstructions/${oldHash}`))).toBe(true);
      expect(
        createHash('sha256')
          .update(fs.readFileSync(blobOf(cache, next)))
          .digest('hex'),
      ).toBe(sha(next));
    },
  );

  it(
    "takes the chunks of an old copy huggingface_hub 2.0 downloaded into its shared store (found through the store's link)",
    { timeout: 180_000 },
    async () => {
      const size = 16 * MiB;
      const old = noiseContent('delta-python', size);
      const repo: FakeRepo = buildRepo({ id: 'acme/delta-model', commits: [{ files: { [FILE]: old } }] });
      const hub = await fakeHub({ repos: [repo], storageHost: '127.0.0.2', xet: {} });
      const home = tmpDir();
      const cache = path.join(home, 'hub');
      const code =
        'import sys\nfrom huggingface_hub import hf_hub_download\nhf_hub_download(sys.argv[1], sys.argv[2], revision=sys.argv[3], cache_dir=sys.argv[4])';
      const py = await runHfPython(['-c', code, repo.id, FILE, repo.commits[0]?.sha as string, cache], { HF_ENDPOINT: hub.url, HF_HOME: home }, 120_000);
      expect(py.code, py.stderr).toBe(0);
      // Python 2.0 made the shared store: the repo blob is a link into it, named by nothing but the link.
      expect(fs.lstatSync(blobOf(cache, old)).isSymbolicLink()).toBe(true);
      await settled(hub);
      const next = regionReplaced(old, 9 * MiB, 256 << 10);
      pushRevision(repo, { [FILE]: next });
      const before = xorbBytes(hub);
      const { m } = manager(hubHttp(hub), { cacheDir: () => cache, sharedStore: () => ({ disabled: false, create: false }) });
      const job = await download(m, { repo: repo.id });
      expect(job.state, JSON.stringify(job.error)).toBe('done');
      await settled(hub);
      expect(xorbBytes(hub) - before).toBeLessThan(size * 0.05);
      expect(job.files[0]?.reusedBytes).toBeGreaterThan(size * 0.9);
      expect(
        createHash('sha256')
          .update(fs.readFileSync(blobOf(cache, next)))
          .digest('hex'),
      ).toBe(sha(next));
    },
  );

  it('reuses nothing from an old copy that no longer matches its sha256, and says so', { timeout: 120_000 }, async () => {
    const size = 16 * MiB;
    const old = noiseContent('delta-corrupt', size);
    const { repo, hub, m, cache } = await setup({ [FILE]: old });
    const oldBlob = blobOf(cache, old);
    const bytes = fs.readFileSync(oldBlob);
    bytes[5 * MiB] = (bytes[5 * MiB] as number) ^ 0xff;
    fs.chmodSync(oldBlob, 0o644);
    fs.writeFileSync(oldBlob, bytes);
    const next = regionReplaced(old, 8 * MiB, 256 << 10);
    pushRevision(repo, { [FILE]: next });
    const newHash = hub.xet?.fileOf(repo, repo.commits[1]?.files.get(FILE) as never)?.hash as string;
    const estimate = await estimateDelta(
      hubHttp(hub),
      {
        cacheDir: cache,
        repo: { type: 'model', id: repo.id },
        commit: repo.refs.get('main') as string,
        files: [{ path: FILE, size, etag: sha(next), xetHash: newHash }],
      },
      { signal: new AbortController().signal },
    );
    expect(estimate.files[0]).toMatchObject({ how: 'full', reused: 0, stale: [oldBlob] });
    const before = xorbBytes(hub);
    const job = await download(m, { repo: repo.id });
    expect(job.state).toBe('done');
    await settled(hub);
    expect(job.files[0]?.reusedBytes).toBeUndefined();
    expect(job.files[0]?.staleSources).toEqual([oldBlob]);
    expect(xorbBytes(hub) - before).toBeGreaterThan(size * 0.95);
    expect(
      createHash('sha256')
        .update(fs.readFileSync(blobOf(cache, next)))
        .digest('hex'),
    ).toBe(sha(next));
  });

  it('an old copy changed after its check fails the new sha256; the retry fetches everything and lands the right file', { timeout: 120_000 }, async () => {
    const size = 16 * MiB;
    const old = noiseContent('delta-race', size);
    const { repo, hub, cache } = await setup({ [FILE]: old });
    const oldBlob = blobOf(cache, old);
    const next = regionReplaced(old, 4 * MiB, 256 << 10);
    const commit = pushRevision(repo, { [FILE]: next });
    const newHash = hub.xet?.fileOf(repo, commit.files.get(FILE) as never)?.hash as string;
    // The check passes, then another program writes into the file before it is read.
    const verify = async (file: string) => {
      const bytes = fs.readFileSync(file);
      bytes[10 * MiB] = (bytes[10 * MiB] as number) ^ 0xff;
      fs.chmodSync(file, 0o644);
      fs.writeFileSync(file, bytes);
      return true;
    };
    const repoDir = path.join(cache, 'models--acme--delta-model');
    const local = new LocalChunks({ repoDir, repoPath: FILE, sha256: sha(next), xetHash: newHash, size, verify });
    const http = hubHttp(hub);
    const before = xorbBytes(hub);
    const partial = path.join(tmpDir(), 'out', `${sha(next)}.incomplete`);
    const got = await fetchIntoPath(
      http,
      {
        url: `${hub.url}/acme/delta-model/resolve/${commit.sha}/${FILE}`,
        etag: sha(next),
        size,
        ctx: { repo: repo.id, path: FILE },
        partial,
        xet: { hash: newHash, refreshUrl: xetRefreshUrl(http, { type: 'model', id: repo.id }, commit.sha), local },
      },
      { signal: new AbortController().signal },
    );
    await local.close();
    await settled(hub);
    expect(got.protocol).toBe('xet');
    expect(createHash('sha256').update(fs.readFileSync(got.path)).digest('hex')).toBe(sha(next));
    // The first try moved the delta, the second the whole file.
    expect(xorbBytes(hub) - before).toBeGreaterThan(size);
    expect(local.reused).toBe(0);
    expect(fs.existsSync(oldBlob)).toBe(true);
  });
});
