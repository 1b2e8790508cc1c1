/**
 * Publishing against the fake Hub's write side: create, existing repo with add/replace/unchanged,
 * pull requests, tokens that may not write (refused before any byte), cancel, cut connections,
 * size refusals, and the round trip (published bytes downloaded back into a fresh cache).
 */
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { PublishPlanInput } from '../../src-main/contract/publish';
import { HubHttp } from '../../src-main/hub/http';
import { seededContent } from '../fakehub/content';
import { TOKENS, MiB } from '../fakehub/fixtures';
import { buildRepo } from '../fakehub/model';
import type { FakeHub } from '../fakehub/server';
import { diffusersLora, ggufWithBase, peftLoraFolder } from '../fixtures/publish-files';
import { download, fakeHub, manager } from '../helpers/hub';
import { tmpDir } from '../helpers/tmp';
import { publisher, sha256 } from './publisher';

const [ALICE_READ, BOB_WRITE, CAROL_FG_READ, DAVE_FG_WRITE] = Object.keys(TOKENS) as [string, string, string, string];

function uploadsTo(hub: FakeHub) {
  return hub.log.filter((l) => l.origin === 'upload');
}

function writeModelFolder(): string {
  const dir = path.join(tmpDir(), 'my-lora');
  peftLoraFolder(dir);
  fs.mkdirSync(path.join(dir, 'checkpoints'), { recursive: true });
  fs.writeFileSync(path.join(dir, 'checkpoints', 'notes.txt'), 'step 1000\n');
  fs.writeFileSync(path.join(dir, 'big.bin'), seededContent('big', 3 * MiB).read(0, 3 * MiB));
  return dir;
}

describe('publish', () => {
  it('creates a private repo, commits the folder with its structure, and never sends the token to the upload host', async () => {
    const hub = await fakeHub();
    const p = publisher(hub, BOB_WRITE);
    const dir = writeModelFolder();
    const plan = await p.plan([dir], { repo: 'bob/my-lora' });
    expect(plan.createsRepo).toBe(true);
    expect(plan.problem).toBeNull();
    expect(plan.files.map((f) => [f.path, f.action])).toEqual([
      ['adapter_config.json', 'add'],
      ['adapter_model.safetensors', 'add'],
      ['big.bin', 'add'],
      ['checkpoints/notes.txt', 'add'],
    ]);
    expect(plan.needsCard).toBe(true);
    expect(plan.suggestedCard).toContain('base_model: "meta-llama/Llama-3.2-1B"');
    expect(plan.suggestedCard).toContain('library_name: peft');

    const job = await p.start([dir], { repo: 'bob/my-lora' }, { card: plan.suggestedCard });
    const done = await p.finished(job.id);
    expect(done.error).toBeNull();
    expect(done.state).toBe('done');
    expect(done.commit?.oid).toMatch(/^[0-9a-f]{40}$/);
    expect(done.bytesSent).toBe(done.bytesTotal);

    const repo = hub.repos.get('model:bob/my-lora');
    expect(repo?.private).toBe(true);
    const head = repo?.commits.find((c) => c.sha === repo.refs.get('main'));
    expect([...(head?.files.keys() ?? [])].sort()).toEqual([
      '.gitattributes',
      'README.md',
      'adapter_config.json',
      'adapter_model.safetensors',
      'big.bin',
      'checkpoints/notes.txt',
    ]);
    expect(head?.files.get('big.bin')?.sha256).toBe(sha256(path.join(dir, 'big.bin')));
    expect(head?.files.get('big.bin')?.lfs).toBe(true);
    expect(head?.title).toBe('Upload from Hubcap');

    const puts = uploadsTo(hub);
    expect(puts.length).toBeGreaterThan(0);
    expect(puts.every((l) => l.headers.authorization === undefined)).toBe(true);
    // …while the Hub's own endpoints got it.
    expect(hub.log.some((l) => l.origin === 'api' && l.url.includes('/commit/') && l.headers.authorization === `Bearer ${BOB_WRITE}`)).toBe(true);
  }, 60_000);

  it('on an existing repo shows add, replace and unchanged, and sends only what changed', async () => {
    const hub = await fakeHub();
    const dir = writeModelFolder();
    const p = publisher(hub, BOB_WRITE);
    await p.finished((await p.start([dir], { repo: 'bob/my-lora' })).id);
    const putsBefore = uploadsTo(hub).length;

    fs.writeFileSync(path.join(dir, 'adapter_config.json'), JSON.stringify({ base_model_name_or_path: 'meta-llama/Llama-3.2-1B', r: 16 }));
    fs.writeFileSync(path.join(dir, 'extra.txt'), 'new\n');
    const plan = await p.plan([dir], { repo: 'bob/my-lora' });
    expect(plan.createsRepo).toBe(false);
    expect(plan.parentCommit).toBe(hub.repos.get('model:bob/my-lora')?.refs.get('main'));
    expect(Object.fromEntries(plan.files.map((f) => [f.path, f.action]))).toEqual({
      'adapter_config.json': 'replace',
      'adapter_model.safetensors': 'unchanged',
      'big.bin': 'unchanged',
      'checkpoints/notes.txt': 'unchanged',
      'extra.txt': 'add',
    });
    expect(plan.totals).toMatchObject({ add: 1, replace: 1, unchanged: 3 });
    expect(plan.files.find((f) => f.path === 'big.bin')?.lfs).toBe(true);

    const job = await p.start([dir], { repo: 'bob/my-lora' }, { parentCommit: plan.parentCommit });
    expect(job.files).toBe(2);
    expect((await p.finished(job.id)).state).toBe('done');
    // Both changed files are small (regular): nothing went to the upload host.
    expect(uploadsTo(hub).length).toBe(putsBefore);
    const repo = hub.repos.get('model:bob/my-lora');
    expect(repo?.commits).toHaveLength(3);
  }, 60_000);

  it('refuses to start when the repo moved since the plan', async () => {
    const hub = await fakeHub();
    const dir = writeModelFolder();
    const p = publisher(hub, BOB_WRITE);
    await p.finished((await p.start([dir], { repo: 'bob/moving' })).id);
    fs.writeFileSync(path.join(dir, 'extra.txt'), 'x');
    const plan = await p.plan([dir], { repo: 'bob/moving' });
    // Someone else (Python, the website) commits in between.
    const other = await p.start([path.join(dir, 'checkpoints')], { repo: 'bob/moving', pathInRepo: 'other' });
    await p.finished(other.id);
    await expect(p.start([dir], { repo: 'bob/moving' }, { parentCommit: plan.parentCommit })).rejects.toMatchObject({ code: 'CONFLICT' });
  }, 60_000);

  it('opens a pull request on a repo the token cannot write, and says so when it is not asked for', async () => {
    const hub = await fakeHub();
    hub.addRepo(buildRepo({ id: 'zed/public-model', commits: [{ files: { 'README.md': '# zed\n' } }] }));
    const p = publisher(hub, BOB_WRITE);
    const file = path.join(tmpDir(), 'fix.txt');
    fs.writeFileSync(file, 'a fix\n');
    const direct = await p.plan([file], { repo: 'zed/public-model' });
    expect(direct.problem?.reason).toBe('not-your-namespace');
    expect(direct.problem?.message).toMatch(/pull request/);
    await expect(p.start([file], { repo: 'zed/public-model' })).rejects.toMatchObject({ code: 'FORBIDDEN' });

    const pr = await p.plan([file], { repo: 'zed/public-model', createPr: true });
    expect(pr.problem).toBeNull();
    const done = await p.finished((await p.start([file], { repo: 'zed/public-model', createPr: true })).id);
    expect(done.state).toBe('done');
    expect(done.pullRequestUrl).toMatch(/\/zed\/public-model\/discussions\/1$/);
    const repo = hub.repos.get('model:zed/public-model');
    expect(repo?.refs.get('refs/pr/1')).toBe(done.commit?.oid);
    expect(repo?.commits.find((c) => c.sha === repo.refs.get('main'))?.files.has('fix.txt')).toBe(false);
  }, 60_000);

  it('explains read and scoped tokens before any byte is sent', async () => {
    const hub = await fakeHub();
    const dir = writeModelFolder();
    const read = await publisher(hub, ALICE_READ).plan([dir], { repo: 'alice/my-lora' });
    expect(read.problem).toMatchObject({ reason: 'read-token' });
    expect(read.problem?.createTokenUrl).toContain('/settings/tokens/new');
    await expect(publisher(hub, ALICE_READ).start([dir], { repo: 'alice/my-lora' })).rejects.toMatchObject({ code: 'FORBIDDEN' });

    const carol = await publisher(hub, CAROL_FG_READ).plan([dir], { repo: 'carol/my-lora' });
    expect(carol.problem).toMatchObject({ reason: 'no-write-scope' });

    const dave = publisher(hub, DAVE_FG_WRITE);
    expect((await dave.plan([dir], { repo: 'dave/my-lora' })).problem).toBeNull();
    expect((await dave.plan([dir], { repo: 'acme/dave-lora' })).problem).toMatchObject({ reason: 'no-write-scope' });
    expect((await publisher(hub, null).plan([dir], { repo: 'bob/x' })).problem).toMatchObject({ reason: 'anonymous' });

    expect(hub.log.some((l) => /preupload|lfs\/objects|\/commit\/|repos\/create/.test(l.url))).toBe(false);
    expect(uploadsTo(hub)).toEqual([]);
  }, 60_000);

  it('cancel mid-upload commits nothing and removes the repo it created', async () => {
    const hub = await fakeHub();
    hub.faults.add({ kind: 'throttle', origin: 'upload', bytesPerSecond: 2 * MiB, times: Infinity });
    const file = path.join(tmpDir(), 'model.gguf');
    ggufWithBase(file, { pad: 12 * MiB });
    const p = publisher(hub, BOB_WRITE);
    const job = await p.start([file], { repo: 'bob/cancelled' });
    await p.until(job.id, (j) => j.state === 'uploading' && j.bytesSent > 1 * MiB);
    p.svc.cancel(job.id);
    const end = await p.finished(job.id);
    expect(end.state).toBe('cancelled');
    expect(end.commit).toBeNull();
    expect(hub.repos.has('model:bob/cancelled')).toBe(false);
    expect(hub.log.some((l) => l.url.includes('/commit/'))).toBe(false);
  }, 60_000);

  it('a connection cut in the middle of an LFS upload is retried; a link that keeps failing fails cleanly', async () => {
    const hub = await fakeHub();
    const file = path.join(tmpDir(), 'model.gguf');
    ggufWithBase(file, { pad: 4 * MiB });
    hub.faults.add({ kind: 'drop', origin: 'upload', afterBytes: 1 * MiB, times: 1 });
    const p = publisher(hub, BOB_WRITE);
    const ok = await p.finished((await p.start([file], { repo: 'bob/flaky' })).id);
    expect(ok.state).toBe('done');
    expect(uploadsTo(hub).filter((l) => l.method === 'PUT').length).toBe(2);
    expect(hub.repos.get('model:bob/flaky')?.commits.at(-1)?.files.get('model.gguf')?.sha256).toBe(sha256(file));

    hub.faults.clear();
    hub.faults.add({ kind: 'drop', origin: 'upload', afterBytes: 512 * 1024, times: Infinity });
    fs.appendFileSync(file, 'changed');
    const bad = await p.finished((await p.start([file], { repo: 'bob/broken-link' })).id);
    expect(bad.state).toBe('failed');
    expect(bad.error?.code).toBe('NETWORK');
    expect(bad.error?.message).toMatch(/127\.0\.0\.1/);
    expect(hub.repos.has('model:bob/broken-link')).toBe(false);
  }, 90_000);

  it('sends large files in parts (multipart) and reports a size refusal in the Hub’s words', async () => {
    const hub = await fakeHub({ uploads: { multipartThreshold: 1 * MiB, multipartChunkSize: 512 * 1024, maxLfsFileSize: 8 * MiB } });
    const file = path.join(tmpDir(), 'lora.safetensors');
    diffusersLora(file, { 'modelspec.architecture': 'stable-diffusion-xl-v1-base/lora' }, 3 * MiB);
    const p = publisher(hub, BOB_WRITE);
    const done = await p.finished((await p.start([file], { repo: 'bob/parts' })).id);
    expect(done.state).toBe('done');
    const parts = uploadsTo(hub).filter((l) => /\/part\/\d+/.test(l.url));
    expect(parts.length).toBe(Math.ceil(fs.statSync(file).size / (512 * 1024)));
    expect(uploadsTo(hub).some((l) => l.url.includes('/complete'))).toBe(true);

    const huge = path.join(tmpDir(), 'huge.gguf');
    ggufWithBase(huge, { pad: 9 * MiB });
    const refused = await p.finished((await p.start([huge], { repo: 'bob/too-big' })).id);
    expect(refused.state).toBe('failed');
    expect(refused.error?.message).toMatch(/exceeds the maximum size/);
    expect(hub.repos.has('model:bob/too-big')).toBe(false);
  }, 60_000);

  it('round trip: a LoRA and a GGUF published, then downloaded back through Hubcap into a fresh cache with the same sha256', async () => {
    const hub = await fakeHub();
    const dir = path.join(tmpDir(), 'out');
    diffusersLora(
      path.join(dir, 'pixel-style.safetensors'),
      { base_model: 'stabilityai/stable-diffusion-xl-base-1.0', 'modelspec.architecture': 'stable-diffusion-xl-v1-base/lora' },
      2 * MiB,
    );
    ggufWithBase(path.join(dir, 'tiny-Q4_K_M.gguf'), { baseRepoUrl: 'https://huggingface.co/acme/tiny-llm', pad: 2 * MiB });
    const p = publisher(hub, BOB_WRITE);
    const plan = await p.plan([dir], { repo: 'bob/round-trip', private: false, license: 'apache-2.0' });
    const done = await p.finished((await p.start([dir], { repo: 'bob/round-trip', private: false }, { card: plan.suggestedCard })).id);
    expect(done.state).toBe('done');

    await p.svc.verify(done.id);
    const verified = await p.until(done.id, (j) => j.verify !== null && j.verify.state !== 'running');
    // The two files and the card.
    expect(verified.verify).toMatchObject({ state: 'ok', checked: 3, mismatches: [] });

    const http = new HubHttp({ endpoint: hub.url, token: () => null, offline: () => false });
    const { m, cache } = manager(http);
    expect((await download(m, { repo: 'bob/round-trip' })).state).toBe('done');
    const snap = path.join(cache, 'models--bob--round-trip', 'snapshots', done.commit?.oid ?? '');
    for (const name of ['pixel-style.safetensors', 'tiny-Q4_K_M.gguf']) expect(sha256(path.join(snap, name))).toBe(sha256(path.join(dir, name)));
    // The card describes the GGUF (the first kind it recognises) and its base model from general.base_model.0.repo_url.
    expect(fs.readFileSync(path.join(snap, 'README.md'), 'utf8')).toContain('base_model: "acme/tiny-llm"');
  }, 90_000);

  it('publishes to a branch that does not exist yet by creating it from main, leaving main as it was', async () => {
    const hub = await fakeHub();
    const p = publisher(hub, BOB_WRITE);
    const file = path.join(tmpDir(), 'exp.txt');
    fs.writeFileSync(file, 'experiment\n');
    await p.finished((await p.start([file], { repo: 'bob/branchy' })).id);
    fs.writeFileSync(file, 'experiment 2\n');
    const plan = await p.plan([file], { repo: 'bob/branchy', revision: 'dev' });
    expect(plan).toMatchObject({ createsRepo: false, createsBranch: true });
    const done = await p.finished((await p.start([file], { repo: 'bob/branchy', revision: 'dev' })).id);
    expect(done.state).toBe('done');
    const repo = hub.repos.get('model:bob/branchy');
    expect(repo?.refs.get('dev')).toBe(done.commit?.oid);
    const main = repo?.commits.find((c) => c.sha === repo.refs.get('main'));
    expect(main?.files.get('exp.txt')?.content.read(0, 100).toString()).toBe('experiment\n');
    expect((await p.plan([file], { repo: 'bob/branchy', revision: 'dev' })).createsBranch).toBe(false);
  }, 60_000);

  it('commits a large folder in parts, each on top of the last; a dataset repo too', async () => {
    const hub = await fakeHub();
    const dir = path.join(tmpDir(), 'shards');
    fs.mkdirSync(dir);
    for (let i = 0; i < 5; i++) fs.writeFileSync(path.join(dir, `shard-${i}.jsonl`), `{"i":${i}}\n`);
    const p = publisher(hub, BOB_WRITE, { filesPerCommit: 2 });
    const plan = await p.plan([dir], { repo: 'bob/shards', repoType: 'dataset' });
    expect(plan.commits).toBe(3);
    const done = await p.finished((await p.start([dir], { repo: 'bob/shards', repoType: 'dataset' }, { message: 'Add shards' })).id);
    expect(done.state).toBe('done');
    expect(done.part).toEqual({ index: 3, of: 3 });
    const repo = hub.repos.get('dataset:bob/shards');
    expect(repo?.commits.map((c) => c.title)).toEqual(['initial commit', 'Add shards (part 1 of 3)', 'Add shards (part 2 of 3)', 'Add shards (part 3 of 3)']);
    expect(repo?.commits.at(-1)?.files.size).toBe(6);
    expect(done.repoUrl).toBe(`${hub.url}/datasets/bob/shards`);
  }, 60_000);

  it('refuses bad input with a specific message and sends nothing', async () => {
    const hub = await fakeHub();
    const p = publisher(hub, BOB_WRITE);
    const empty = path.join(tmpDir(), 'empty');
    fs.mkdirSync(empty);
    await expect(p.plan([empty], { repo: 'bob/x' })).rejects.toThrow(/Nothing to publish/);
    await expect(p.plan([path.join(empty, 'nope.bin')], { repo: 'bob/x' })).rejects.toThrow(/does not exist/);
    const file = path.join(tmpDir(), 'a.txt');
    fs.writeFileSync(file, 'a');
    await expect(p.plan([file], { repo: 'bob/x', pathInRepo: '../escape' })).rejects.toThrow(/not a folder path the Hub accepts/);
    expect(() => PublishPlanInput.parse({ source: { paths: [file] }, target: { repo: 'bob/bad--name' } })).toThrow(/--/);
    expect(() => PublishPlanInput.parse({ source: { paths: [file] }, target: { repo: 'no-namespace' } })).toThrow(/namespace/);
    expect(() => PublishPlanInput.parse({ source: { paths: [] }, target: { repo: 'bob/x' } })).toThrow(/Choose the files/);

    // A link out of the chosen folder is not followed; the plan says why.
    const dir = path.join(tmpDir(), 'with-link');
    fs.mkdirSync(dir);
    fs.writeFileSync(path.join(dir, 'ok.txt'), 'ok');
    fs.symlinkSync('/etc/hostname', path.join(dir, 'leak'));
    const plan = await p.plan([dir], { repo: 'bob/x' });
    expect(plan.files.map((f) => f.path)).toEqual(['ok.txt']);
    expect(plan.skipped[0]?.reason).toMatch(/link out of the folder/);

    // A card whose metadata is not closed is refused before anything is sent.
    await expect(p.start([file], { repo: 'bob/x' }, { card: '---\nlicense: mit\n# no end' })).rejects.toThrow(/not closed/);
    // A name in someone else's namespace.
    const theirs = await p.plan([file], { repo: 'zed/new-model' });
    expect(theirs.problem).toMatchObject({ reason: 'not-your-namespace' });
    expect(theirs.problem?.message).toMatch(/only create repos under bob, acme/);
    expect(hub.log.some((l) => /preupload|repos\/create|\/commit\//.test(l.url))).toBe(false);
    expect(uploadsTo(hub)).toEqual([]);
  }, 60_000);
});
