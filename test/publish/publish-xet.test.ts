/**
 * Publishing over Xet, the path real users take: the fake Hub answers `transfer: "xet"` and its CAS
 * checks every xorb and shard. Progress says via Xet and rises to the end; cancel in the middle
 * commits nothing; the Hub token never reaches the CAS; the file comes back with the same sha256
 * through Hubcap's Xet download and huggingface_hub 2.0 + hf_xet; and a new revision of a model
 * already on the Hub sends only the xorb of its new chunks. With Xet turned off on the Hub, the
 * same publish goes by plain LFS.
 */
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { TOKENS } from '../fakehub/fixtures';
import { buildRepo } from '../fakehub/model';
import type { FakeHub } from '../fakehub/server';
import { noiseContent } from '../fakehub/xet/fixtures';
import type { XetUploads } from '../fakehub/xet/upload';
import { runHfPython } from '../helpers/hf-python';
import { download, fakeHub, hubHttp, manager } from '../helpers/hub';
import { tmpDir } from '../helpers/tmp';
import { publisher, sha256 } from './publisher';

const BOB_WRITE = Object.keys(TOKENS)[1] as string;
const SIZE = 12 << 20;
const v1 = () => Buffer.from(noiseContent('publish-xet-v1', SIZE).read(0, SIZE));

/** The CAS and storage on 127.0.0.2, so Python takes the Xet path for downloads too (§3.4). */
const xetHub = (extra: Parameters<typeof fakeHub>[0] = {}) => fakeHub({ storageHost: '127.0.0.2', xet: {}, ...extra });

function uploadsOf(hub: FakeHub): XetUploads {
  if (!hub.xet) throw new Error('no Xet side');
  return hub.xet.uploads;
}

function writeModel(bytes: Buffer): string {
  const dir = path.join(tmpDir(), 'model');
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(path.join(dir, 'model.gguf'), bytes);
  fs.writeFileSync(path.join(dir, 'config.json'), '{"model_type":"llama"}\n');
  return dir;
}

const PY_DOWNLOAD = [
  'import hashlib, sys',
  'from huggingface_hub import hf_hub_download',
  'p = hf_hub_download(sys.argv[1], sys.argv[2], cache_dir=sys.argv[3])',
  'print(hashlib.sha256(open(p, "rb").read()).hexdigest())',
].join('\n');

describe('publish over Xet', () => {
  it('sends xorbs and a shard to the CAS with progress, never the Hub token; Hubcap and Python 2.0 download it back', { timeout: 300_000 }, async () => {
    const hub = await xetHub();
    const p = publisher(hub, BOB_WRITE);
    const dir = writeModel(v1());
    const job = await p.start([dir], { repo: 'bob/xet-model' }, { card: '# xet\n' });
    const done = await p.finished(job.id);
    expect(done.error).toBeNull();
    expect(done.state).toBe('done');
    expect(done.via).toBe('xet');

    const up = uploadsOf(hub);
    const got = up.received();
    expect(got.xorbs).toBeGreaterThan(0);
    expect(done.xetBytesSent).toBe(got.bytes);
    expect(up.log.filter((r) => r.kind === 'shard').every((r) => r.status === 200)).toBe(true);
    // Nothing went to the LFS upload host, and no Hub token reached the CAS.
    expect(hub.log.filter((r) => r.origin === 'upload')).toEqual([]);
    expect(hub.xet?.cas.log.every((r) => !(r.headers.authorization ?? '').includes(BOB_WRITE))).toBe(true);

    // Progress: via Xet while uploading, the sent bytes rise and never go back, and end at the total.
    const mine = p.events.filter((e) => e.id === job.id);
    const uploading = mine.filter((e) => e.state === 'uploading');
    expect(uploading.length).toBeGreaterThan(0);
    expect(uploading.every((e) => e.via === 'xet')).toBe(true);
    expect(uploading.some((e) => e.bytesSent > 0 && e.bytesSent < e.bytesTotal)).toBe(true);
    const sent = mine.map((e) => e.bytesSent);
    expect(sent).toEqual([...sent].sort((a, b) => a - b));
    expect(done.bytesSent).toBe(done.bytesTotal);

    // The Hub registered the file by its sha256 from the shard, and serves it over Xet.
    const want = sha256(path.join(dir, 'model.gguf'));
    expect(up.bySha256.has(want)).toBe(true);
    const { m, cache } = manager(hubHttp(hub, { token: BOB_WRITE }));
    const back = await download(m, { repo: 'bob/xet-model', files: ['model.gguf'] });
    expect(back.state).toBe('done');
    expect(back.files.find((f) => f.path === 'model.gguf')?.via).toBe('xet');
    const snap = path.join(cache, 'models--bob--xet-model', 'snapshots', done.commit?.oid as string, 'model.gguf');
    expect(sha256(snap)).toBe(want);

    const home = tmpDir('hubcap-publish-xet-py-');
    const xorbGets = () => hub.xet?.cas.log.filter((r) => r.url.startsWith('/xorbs/')).length ?? 0;
    const before = xorbGets();
    const py = await runHfPython(
      ['-c', PY_DOWNLOAD, 'bob/xet-model', 'model.gguf', `${home}/cache`],
      { HF_ENDPOINT: hub.url, HF_HOME: home, HF_TOKEN: BOB_WRITE },
      180_000,
    );
    expect(py.code, py.stderr.slice(-2000)).toBe(0);
    expect(py.stdout.trim().split('\n').pop()).toBe(want);
    expect(xorbGets()).toBeGreaterThan(before);
  });

  it('cancel while a xorb is in flight commits nothing and removes the repo it created', { timeout: 120_000 }, async () => {
    const hub = await xetHub();
    const up = uploadsOf(hub);
    let release = () => {};
    up.hold = new Promise<void>((r) => (release = r));
    const p = publisher(hub, BOB_WRITE);
    const job = await p.start([writeModel(v1())], { repo: 'bob/xet-cancelled' });
    await p.until(job.id, () => up.log.some((r) => r.kind === 'xorb'), 60_000);
    p.svc.cancel(job.id);
    const end = await p.finished(job.id);
    release();
    expect(end.state).toBe('cancelled');
    expect(end.commit).toBeNull();
    expect(hub.repos.has('model:bob/xet-cancelled')).toBe(false);
    expect(up.bySha256.size).toBe(0);
  });

  it('a new revision of a model already on the Hub sends only the xorb of its new chunks', { timeout: 180_000 }, async () => {
    const old = v1();
    const repo = buildRepo({ id: 'bob/llm', commits: [{ files: { 'model.gguf': old, 'config.json': '{"model_type":"llama"}\n' } }] });
    const hub = await xetHub({ repos: [repo] });
    const up = uploadsOf(hub);
    // A fixed region in the middle: 256 KiB of 12 MiB.
    const next = Buffer.from(old);
    next.set(noiseContent('publish-xet-patch', 256 << 10).read(0, 256 << 10), 5 << 20);
    const p = publisher(hub, BOB_WRITE);
    const dir = writeModel(next);
    const plan = await p.plan([dir], { repo: 'bob/llm' });
    expect(plan.files.map((f) => [f.path, f.action])).toEqual([
      ['config.json', 'unchanged'],
      ['model.gguf', 'replace'],
    ]);
    const job = await p.start([dir], { repo: 'bob/llm' }, { parentCommit: plan.parentCommit });
    const done = await p.finished(job.id);
    expect(done.error).toBeNull();
    expect(done.via).toBe('xet');
    const got = up.received();
    // The client asked which chunks the CAS holds, then sent one xorb: the new chunks and little else.
    expect(up.log.some((r) => r.kind === 'dedup' && r.status === 200)).toBe(true);
    expect(got.xorbs).toBe(1);
    expect(got.bytes).toBeGreaterThan(256 << 10);
    expect(got.bytes).toBeLessThan(SIZE * 0.05);
    expect(done.xetBytesSent).toBe(got.bytes);
    const head = hub.repos.get('model:bob/llm')?.commits.at(-1);
    expect(head?.files.get('model.gguf')?.sha256).toBe(sha256(path.join(dir, 'model.gguf')));
    const { m, cache } = manager(hubHttp(hub, { token: BOB_WRITE }));
    await download(m, { repo: 'bob/llm', files: ['model.gguf'] });
    expect(sha256(path.join(cache, 'models--bob--llm', 'snapshots', done.commit?.oid as string, 'model.gguf'))).toBe(sha256(path.join(dir, 'model.gguf')));
  });

  it('with Xet uploads off on the Hub, the same publish goes by plain LFS', { timeout: 120_000 }, async () => {
    const hub = await xetHub({ xet: { acceptUploads: false } });
    const p = publisher(hub, BOB_WRITE);
    const dir = writeModel(v1());
    const done = await p.finished((await p.start([dir], { repo: 'bob/lfs-model' })).id);
    expect(done.state).toBe('done');
    expect(done.via).toBe('lfs');
    expect(done.xetBytesSent).toBe(0);
    expect(uploadsOf(hub).log).toEqual([]);
    expect(hub.storedObjects().has(sha256(path.join(dir, 'model.gguf')))).toBe(true);
  });

  it('with HF_HUB_DISABLE_XET, a Hub that takes Xet gets plain LFS', { timeout: 120_000 }, async () => {
    const hub = await xetHub();
    const p = publisher(hub, BOB_WRITE, { disableXet: true });
    const dir = writeModel(v1());
    const done = await p.finished((await p.start([dir], { repo: 'bob/no-xet-model' })).id);
    expect(done.state).toBe('done');
    expect(done.via).toBe('lfs');
    expect(uploadsOf(hub).log).toEqual([]);
    expect(hub.storedObjects().has(sha256(path.join(dir, 'model.gguf')))).toBe(true);
  });
});
