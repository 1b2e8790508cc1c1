/**
 * Other apps' models end to end through the core: found per app, run in place from the Library,
 * confirmed by hash against the (fake) Hub, and added to the Hugging Face cache by hard link or
 * copy so that a download of the same file fetches nothing.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { AdoptResult, AppsReport, Identification, ReclaimPlan, ReclaimResult } from '../../src-main/contract/apps';
import type { DownloadJob } from '../../src-main/contract/downloads';
import type { LibraryItem } from '../../src-main/contract/library';
import { dispatch } from '../../src-main/rpc/dispatch';
import { readTreeRecord } from '../../src-main/cache/tree-record';
import type { FakeHub } from '../fakehub/server';
import { cachedLlamaModel, HUGE_70B } from '../fixtures/llama-model';
import { otherAppsHome, type OtherAppsHome } from '../fixtures/other-apps';
import { appsOn } from '../helpers/apps';
import { fakeHub } from '../helpers/hub';
import { tmpDir } from '../helpers/tmp';

let hub: FakeHub;
let apps: OtherAppsHome;
let cache: string;
let core: ReturnType<typeof appsOn>;

async function call<T>(method: string, input: unknown): Promise<T> {
  const r = await dispatch(core.handlers, method, input);
  if (!r.ok) throw Object.assign(new Error(r.error.message), { code: r.error.code, details: r.error.details });
  return r.value as T;
}

beforeEach(async () => {
  hub = await fakeHub();
  apps = otherAppsHome();
  cache = path.join(tmpDir(), 'hub');
  core = appsOn(hub, apps.home, cache);
});
afterEach(async () => {
  await core.close();
});

const TINY = 'hubcap-test/tiny-llama-GGUF';

describe('finding other apps’ models', () => {
  it('lists each app’s models with what the path says they are, and what it could not read', async () => {
    const r = await call<AppsReport>('apps.scan', {});
    const byApp = (app: string) => r.models.filter((m) => m.app === app);
    expect(byApp('lm-studio').map((m) => [m.name, m.hint?.repo, m.hint?.file])).toEqual([['tiny-llama-F32.gguf', TINY, 'tiny-llama-F32.gguf']]);
    expect(byApp('lm-studio')[0]).toMatchObject({ format: 'gguf', problem: null, summary: { architecture: 'llama' } });
    // Ollama: the hf.co pull names its repo and quantization; a library model has no Hub hint.
    const ollama = byApp('ollama');
    expect(ollama.map((m) => m.name).sort()).toEqual(['hf.co/hubcap-test/tiny-llama-GGUF:F32', 'tinyllama:latest']);
    expect(ollama.find((m) => m.name.startsWith('hf.co'))).toMatchObject({
      hint: { repo: TINY, quant: 'F32', from: 'ollama-manifest' },
      sha256: expect.any(String),
    });
    expect(ollama.find((m) => m.name === 'tinyllama:latest')?.hint).toBeNull();
    expect(byApp('llama.cpp')).toMatchObject([{ hint: { repo: TINY, file: 'tiny-llama-F32.gguf', from: 'hf-cache' } }]);
    expect(byApp('text-generation-webui')).toMatchObject([
      { hint: { repo: 'acme/tiny-llm', file: 'tiny-llm-Q8_0.gguf' }, problem: expect.stringMatching(/GGUF/) },
    ]);
    expect(byApp('comfyui').map((m) => [m.name, m.format])).toEqual([['style.safetensors', 'safetensors']]);
    const notes = r.folders.flatMap((f) => f.notes).join('\n');
    expect(notes).toMatch(/Skipped the Ollama manifest manifests\/registry.ollama.ai\/library\/broken\/latest: it is not valid JSON/);
    expect(notes).toMatch(/Did not follow .*elsewhere\.gguf: it links out of this folder/);
    expect(r.models.some((m) => m.path === apps.outside)).toBe(false);
  });

  it('stops a scan when asked, and the next one runs', async () => {
    const running = core.apps.scan({ hash: true });
    expect(core.apps.cancelScan()).toBe(true);
    await expect(running).rejects.toMatchObject({ code: 'CANCELLED', message: /The scan was stopped; nothing was changed/ });
    expect(core.apps.cancelScan()).toBe(false);
    expect((await call<AppsReport>('apps.scan', {})).models.length).toBeGreaterThan(0);
  });

  it('counts the same bytes in two apps as duplicated, from known names or by hashing', async () => {
    // Ollama's and llama.cpp's names are sha256s: the same model in both is known without hashing.
    const quick = await call<AppsReport>('apps.scan', {});
    expect(quick.duplicates).toHaveLength(1);
    expect(quick.duplicates[0]?.paths.map((p) => p.app).sort()).toEqual(['llama.cpp', 'ollama']);
    // Hashing finds LM Studio's copy too: three copies, two of them wasted.
    const full = await call<AppsReport>('apps.scan', { hash: true });
    expect(full.duplicates[0]?.paths.map((p) => p.app).sort()).toEqual(['llama.cpp', 'lm-studio', 'ollama']);
    expect(full.duplicatedBytes).toBe(2 * apps.tinyLlama.length);
    // A hard link is one file, not a duplicate.
    fs.rmSync(apps.lmStudio.file);
    fs.linkSync(apps.ollama.hfBlob, apps.lmStudio.file);
    expect((await call<AppsReport>('apps.scan', { hash: true })).duplicatedBytes).toBe(apps.tinyLlama.length);
  });
});

describe('running them in place', () => {
  it('adds found models to the Library marked with their app, never moves or deletes them, and shows a vanished one as missing', async () => {
    await call<AppsReport>('apps.scan', {});
    const added = await call<{ added: number; keys: string[] }>('apps.addToLibrary', { paths: [apps.lmStudio.file, apps.ollama.libraryBlob] });
    expect(added.added).toBe(2);
    const items = await call<LibraryItem[]>('library.list', {});
    const ollamaItem = items.find((i) => i.foundIn === 'ollama');
    expect(ollamaItem).toMatchObject({ name: 'tinyllama:latest', path: apps.ollama.libraryBlob, kind: 'gguf', missing: false });
    expect(items.find((i) => i.foundIn === 'lm-studio')?.path).toBe(apps.lmStudio.file);
    await expect(call('library.relocate', { key: ollamaItem?.key, mode: 'move' })).rejects.toThrow(/belongs to another app/);
    await expect(call('library.remove', { key: ollamaItem?.key, deleteFiles: true })).rejects.toThrow(/remove it there/);
    expect(fs.existsSync(apps.ollama.libraryBlob)).toBe(true);
    fs.rmSync(apps.lmStudio.file);
    expect((await call<LibraryItem[]>('library.list', {})).find((i) => i.foundIn === 'lm-studio')?.missing).toBe(true);
  });
});

describe('giving them to Python', () => {
  it('confirms a file by its sha256 against the Hub, and refuses one whose bytes are not what its path claims', async () => {
    await call<AppsReport>('apps.scan', {});
    const id = await call<Identification>('apps.identify', { path: apps.ollama.hfBlob });
    expect(id).toMatchObject({ repo: TINY, file: 'tiny-llama-F32.gguf', size: apps.tinyLlama.length, commit: expect.stringMatching(/^[0-9a-f]{40}$/) });
    await expect(call('apps.identify', { path: apps.webui.file })).rejects.toMatchObject({
      code: 'INTEGRITY',
      message: expect.stringMatching(/is not acme\/tiny-llm's tiny-llm-Q8_0\.gguf: its sha256 differs/),
    });
    // Pointed at a repo by hand: confirmed or refused by hash, whatever the name says.
    await expect(call('apps.identify', { path: apps.ollama.libraryBlob, repo: TINY })).rejects.toMatchObject({
      code: 'INTEGRITY',
      message: expect.stringMatching(/its sha256 differs/),
    });
    await expect(call('apps.identify', { path: apps.comfyui.lora, repo: TINY })).rejects.toMatchObject({
      code: 'NOT_FOUND',
      message: /no file of .* has its size/,
    });
  });

  it('hard-links a confirmed file into the cache as Python lays it out; a download of it then fetches nothing', async () => {
    await call<AppsReport>('apps.scan', {});
    await call('apps.addToLibrary', { paths: [apps.lmStudio.file] });
    const before = fs.statSync(apps.lmStudio.file);
    const plan = await call<AdoptResult>('apps.adopt', { path: apps.lmStudio.file, mode: 'link', dryRun: true });
    expect(plan.steps).toMatchObject([{ how: 'link', bytes: 0 }]);
    expect(fs.existsSync(cache)).toBe(false);
    const r = await call<AdoptResult>('apps.adopt', { path: apps.lmStudio.file, mode: 'link' });
    expect(r).toMatchObject({ repo: TINY, bytesWritten: 0, steps: [{ how: 'link' }] });
    const repoDir = path.join(cache, 'models--hubcap-test--tiny-llama-GGUF');
    const blob = fs.readdirSync(path.join(repoDir, 'blobs'));
    expect(blob).toHaveLength(1);
    expect(fs.statSync(path.join(repoDir, 'blobs', blob[0] as string)).ino).toBe(before.ino);
    expect(fs.readFileSync(path.join(repoDir, 'refs', 'main'), 'utf8')).toBe(r.commit);
    const link = path.join(repoDir, 'snapshots', r.commit, 'tiny-llama-F32.gguf');
    expect(fs.readlinkSync(link)).toBe(`../../blobs/${blob[0]}`);
    expect(readTreeRecord(repoDir, r.commit)?.get('tiny-llama-F32.gguf')).toMatchObject({ size: apps.tinyLlama.length, lfs: true });
    // The source is untouched, and the Library lists the model once, from the cache.
    expect(fs.statSync(apps.lmStudio.file).mtimeMs).toBe(before.mtimeMs);
    const items = await call<LibraryItem[]>('library.list', {});
    expect(items.filter((i) => i.name === 'tiny-llama-F32.gguf').map((i) => i.source)).toEqual(['cache']);

    const cdnBefore = hub.log.filter((l) => l.origin === 'cdn').length;
    const job = await call<DownloadJob>('downloads.start', { repo: TINY, files: ['tiny-llama-F32.gguf', 'README.md'] });
    await core.downloads.whenIdle();
    expect(core.downloads.get(job.id).state).toBe('done');
    const cdn = hub.log.filter((l) => l.origin === 'cdn').slice(cdnBefore);
    expect(cdn.every((l) => !l.url.includes('tiny-llama-F32'))).toBe(true);
    // The rest of the repo's files come the normal way, into the same snapshot.
    expect(fs.readFileSync(path.join(repoDir, 'snapshots', r.commit, 'README.md'), 'utf8')).toMatch(/Tiny llama/);
  });

  it('copies when asked (the size shown first), and says so when nothing else can', async () => {
    const plan = await call<AdoptResult>('apps.adopt', { path: apps.ollama.hfBlob, mode: 'copy', dryRun: true });
    expect(plan.steps).toMatchObject([{ how: 'copy', bytes: apps.tinyLlama.length }]);
    const r = await call<AdoptResult>('apps.adopt', { path: apps.ollama.hfBlob, mode: 'copy' });
    expect(r.bytesWritten).toBe(apps.tinyLlama.length);
    const blob = path.join(
      cache,
      'models--hubcap-test--tiny-llama-GGUF',
      'blobs',
      fs.readdirSync(path.join(cache, 'models--hubcap-test--tiny-llama-GGUF', 'blobs'))[0] as string,
    );
    expect(fs.statSync(blob).ino).not.toBe(fs.statSync(apps.ollama.hfBlob).ino);
    expect(fs.readFileSync(blob).equals(apps.tinyLlama)).toBe(true);
    // Once there, adopting again writes nothing.
    expect((await call<AdoptResult>('apps.adopt', { path: apps.lmStudio.file })).steps).toMatchObject([{ how: 'present', bytes: 0 }]);
  });

  it('frees duplicated space by making the cache’s copy share another app’s bytes, exactly as planned, writing only the cache', async () => {
    await call<AdoptResult>('apps.adopt', { path: apps.ollama.hfBlob, mode: 'copy' });
    const ollamaBefore = fs.statSync(apps.ollama.hfBlob);
    const report = await call<AppsReport>('apps.scan', { hash: true });
    expect(report.duplicates[0]?.paths.map((p) => p.app).sort()).toEqual(['hf-cache', 'llama.cpp', 'lm-studio', 'ollama']);
    const plan = await call<ReclaimPlan>('apps.reclaimPlan', {});
    expect(plan.steps).toHaveLength(1);
    expect(plan.bytes).toBe(apps.tinyLlama.length);
    // Copies only between other apps are named, not touched.
    const blob = plan.steps[0]?.blob as string;
    expect(blob.startsWith(cache)).toBe(true);
    // By clone only unless hard links are allowed: this disk (ext4) cannot clone, so nothing changes, and it says why.
    const blobBefore = fs.statSync(blob);
    const cloneOnly = await call<ReclaimResult>('apps.reclaim', { confirm: true });
    expect(cloneOnly).toMatchObject({ steps: [], freed: 0 });
    expect(cloneOnly.notes.join(' ')).toMatch(/cannot clone/);
    expect(fs.statSync(blob).ino).toBe(blobBefore.ino);
    const result = await call<ReclaimResult>('apps.reclaim', { confirm: true, allowLink: true });
    expect(result.freed).toBe(plan.bytes);
    const step = result.steps[0];
    expect(step?.how).toBe('link');
    expect(fs.statSync(blob).ino).toBe(fs.statSync(step?.source as string).ino);
    expect(fs.readFileSync(blob).equals(apps.tinyLlama)).toBe(true);
    // Nothing in Ollama's store changed.
    expect(fs.statSync(apps.ollama.hfBlob)).toMatchObject({ mtimeMs: ollamaBefore.mtimeMs, size: ollamaBefore.size });
    await expect(call('apps.reclaim', { confirm: false })).rejects.toMatchObject({ code: 'VALIDATION_FAILED' });
  });

  it('adds a whole repo from an app folder into one snapshot, confirming every file before writing any', async () => {
    const huge = path.join(path.dirname(apps.lmStudio.file), 'huge-llama-F16.gguf');
    fs.copyFileSync(cachedLlamaModel('huge', HUGE_70B), huge);
    const bogus = path.join(path.dirname(apps.lmStudio.file), 'bogus.gguf');
    fs.writeFileSync(bogus, Buffer.alloc(apps.tinyLlama.length, 9));
    // Its folder says tiny-llama-GGUF, but the repo has no bogus.gguf: refused, and nothing written.
    await expect(call('apps.adoptRepo', { paths: [apps.lmStudio.file, bogus], mode: 'link' })).rejects.toMatchObject({
      code: 'NOT_FOUND',
      message: expect.stringMatching(/^bogus\.gguf is not from hubcap-test\/tiny-llama-GGUF/),
    });
    expect(fs.existsSync(cache)).toBe(false);
    const r = await call<AdoptResult>('apps.adoptRepo', { paths: [apps.lmStudio.file, huge], mode: 'link' });
    expect(r.steps.map((s) => [s.file, s.how])).toEqual([
      ['tiny-llama-F32.gguf', 'link'],
      ['huge-llama-F16.gguf', 'link'],
    ]);
    const snapshot = path.join(cache, 'models--hubcap-test--tiny-llama-GGUF', 'snapshots', r.commit);
    expect(fs.readdirSync(snapshot).sort()).toEqual(['huge-llama-F16.gguf', 'tiny-llama-F32.gguf']);
    await expect(call('apps.adoptRepo', { paths: [apps.lmStudio.file, apps.webui.file] })).rejects.toMatchObject({ code: 'INTEGRITY' });
  });
});
