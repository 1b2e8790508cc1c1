/**
 * Other apps' folders as an attacker (or an unlucky user) leaves them: Ollama's blob replaced by a
 * link out of its folder, a chain of links, a link to a folder or a device, a named pipe. Scanning
 * answers at once and says why a file is skipped; reclaiming acts only on regular files inside the
 * app's folder, and the cache's blob stays a regular file with its own bytes in every case.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { AdoptResult, AppsReport, ReclaimPlan, ReclaimResult } from '../../src-main/contract/apps';
import type { AddResult, LibraryItem } from '../../src-main/contract/library';
import type { VerifyView } from '../../src-main/contract/cache';
import { dispatch } from '../../src-main/rpc/dispatch';
import type { FakeHub } from '../fakehub/server';
import { otherAppsHome, type OtherAppsHome } from '../fixtures/other-apps';
import { appsOn } from '../helpers/apps';
import { fakeHub } from '../helpers/hub';
import { tmpDir } from '../helpers/tmp';
import { quickly } from '../helpers/deadline';

let hub: FakeHub;
let apps: OtherAppsHome;
let cache: string;
let core: ReturnType<typeof appsOn>;

async function call<T>(method: string, input: unknown): Promise<T> {
  const r = await dispatch(core.handlers, method, input);
  if (!r.ok) throw Object.assign(new Error(r.error.message), { code: r.error.code, details: r.error.details });
  return r.value as T;
}

const TINY = 'hubcap-test/tiny-llama-GGUF';

beforeEach(async () => {
  hub = await fakeHub();
  apps = otherAppsHome();
  // Only Ollama holds the model besides the cache: each shape below is the only source on offer.
  fs.rmSync(path.join(apps.home, '.lmstudio'), { recursive: true, force: true });
  fs.rmSync(apps.llamaCpp.root, { recursive: true, force: true });
  cache = path.join(tmpDir(), 'hub');
  core = appsOn(hub, apps.home, cache);
});
afterEach(async () => {
  await core.close();
});

/** The cache's own copy of the model (a plain copy: the blob reclaiming would replace). */
async function cachedCopy(): Promise<string> {
  await call<AdoptResult>('apps.adopt', { path: apps.ollama.hfBlob, mode: 'copy' });
  const blobs = path.join(cache, 'models--hubcap-test--tiny-llama-GGUF', 'blobs');
  return path.join(blobs, fs.readdirSync(blobs)[0] as string);
}

type Shape = { name: string; make: (blob: string, outside: string) => void; inside: boolean };

const SHAPES: Shape[] = [
  {
    name: 'an absolute link to a file elsewhere',
    inside: false,
    make: (blob, outside) => {
      fs.renameSync(blob, path.join(outside, 'moved'));
      fs.symlinkSync(path.join(outside, 'moved'), blob);
    },
  },
  {
    name: 'a relative link out of the folder',
    inside: false,
    make: (blob, outside) => {
      fs.renameSync(blob, path.join(outside, 'moved'));
      fs.symlinkSync(path.relative(path.dirname(blob), path.join(outside, 'moved')), blob);
    },
  },
  {
    name: 'a chain of links whose last leaves the folder',
    inside: false,
    make: (blob, outside) => {
      fs.renameSync(blob, path.join(outside, 'moved'));
      fs.symlinkSync(path.join(outside, 'moved'), `${blob}-hop2`);
      fs.symlinkSync(path.basename(`${blob}-hop2`), `${blob}-hop1`);
      fs.symlinkSync(path.basename(`${blob}-hop1`), blob);
    },
  },
  {
    name: 'a link to a folder',
    inside: false,
    make: (blob, outside) => {
      fs.rmSync(blob);
      fs.symlinkSync(outside, blob);
    },
  },
  {
    name: 'a link to a device',
    inside: false,
    make: (blob) => {
      fs.rmSync(blob);
      fs.symlinkSync('/dev/zero', blob);
    },
  },
  {
    name: 'a named pipe',
    inside: false,
    make: (blob) => {
      fs.rmSync(blob);
      execFileSync('mkfifo', [blob]);
    },
  },
  {
    name: 'a relative link inside the folder (a store Ollama itself moved)',
    inside: true,
    make: (blob) => {
      fs.renameSync(blob, `${blob}.real`);
      fs.symlinkSync(path.basename(`${blob}.real`), blob);
    },
  },
  {
    name: 'a chain of links that stays inside',
    inside: true,
    make: (blob) => {
      fs.renameSync(blob, `${blob}.real`);
      fs.symlinkSync(path.basename(`${blob}.real`), `${blob}-hop`);
      fs.symlinkSync(path.basename(`${blob}-hop`), blob);
    },
  },
];

describe('reclaiming against every link shape', () => {
  for (const shape of SHAPES) {
    it(`never weakens the cache when Ollama's blob is ${shape.name}`, async () => {
      const blob = await cachedCopy();
      const before = fs.statSync(blob);
      const outside = tmpDir('hubcap-outside-');
      shape.make(apps.ollama.hfBlob, outside);

      const report = await quickly(call<AppsReport>('apps.scan', { hash: true }));
      const plan = await call<ReclaimPlan>('apps.reclaimPlan', {});
      const result = await quickly(call<ReclaimResult>('apps.reclaim', { confirm: true, allowLink: true }));
      const after = fs.lstatSync(blob);
      // Whatever happened, the cache's blob is a regular file holding the model's bytes.
      expect(after.isFile()).toBe(true);
      expect(fs.readFileSync(blob).equals(apps.tinyLlama)).toBe(true);

      if (shape.inside) {
        // Shared with the regular file the link leads to, never with the link itself.
        expect(result.freed).toBe(apps.tinyLlama.length);
        expect(after.ino).toBe(fs.statSync(`${apps.ollama.hfBlob}.real`).ino);
      } else {
        expect(plan.steps).toEqual([]);
        expect(result).toMatchObject({ steps: [], freed: 0 });
        expect(after.ino).toBe(before.ino);
        // Ollama's entry is skipped with the reason, and its target's header was never read as a model.
        const notes = report.folders.find((f) => f.app === 'ollama')?.notes.join(' ') ?? '';
        expect(notes).toMatch(/tiny-llama-GGUF:F32: its model blob (links out of Ollama's folder|is a named pipe|is a link to)/);
        expect(report.models.some((m) => m.path === apps.ollama.hfBlob)).toBe(false);
        // Whoever can write the outside file cannot change the cached model.
        if (fs.existsSync(path.join(outside, 'moved'))) fs.writeFileSync(path.join(outside, 'moved'), 'rewritten');
      }
      const verify = await call<VerifyView>('cache.verify', { repo: `model:${TINY}` });
      expect(verify.corrupt).toEqual([]);
      expect(verify.checked).toBe(1);
    });
  }

  it('by default (no hard links allowed) on a disk that cannot clone, leaves the blob as it was and says why', async () => {
    const blob = await cachedCopy();
    const ino = fs.statSync(blob).ino;
    await call<AppsReport>('apps.scan', { hash: true });
    const result = await call<ReclaimResult>('apps.reclaim', { confirm: true });
    expect(result).toMatchObject({ steps: [], freed: 0 });
    expect(result.notes.join(' ')).toMatch(/cannot clone/);
    expect(fs.statSync(blob).ino).toBe(ino);
  });

  it('adopts by copy, not hard link, when the disk cannot clone', async () => {
    const plan = await call<AdoptResult>('apps.adopt', { path: apps.ollama.hfBlob, dryRun: true });
    expect(plan.steps).toMatchObject([{ how: 'copy', bytes: apps.tinyLlama.length }]);
    const r = await call<AdoptResult>('apps.adopt', { path: apps.ollama.hfBlob });
    expect(r.steps).toMatchObject([{ how: 'copy' }]);
    const blobs = path.join(cache, 'models--hubcap-test--tiny-llama-GGUF', 'blobs');
    const blob = path.join(blobs, fs.readdirSync(blobs)[0] as string);
    expect(fs.statSync(blob).nlink).toBe(1);
    // The app rewrites its file in place: the cache does not change.
    const fd = fs.openSync(apps.ollama.hfBlob, 'r+');
    fs.writeSync(fd, Buffer.from('XXXX'), 0, 4, 100);
    fs.closeSync(fd);
    expect(fs.readFileSync(blob).equals(apps.tinyLlama)).toBe(true);
  });

  it('refuses to adopt a blob that is a link out of the app’s folder, or a pipe', async () => {
    const outside = tmpDir('hubcap-outside-');
    SHAPES[0]?.make(apps.ollama.hfBlob, outside);
    await expect(call('apps.adopt', { path: apps.ollama.hfBlob, repo: TINY, mode: 'copy' })).rejects.toMatchObject({
      code: 'INVALID_PATH',
      message: expect.stringMatching(/link out of/),
    });
    fs.rmSync(apps.ollama.hfBlob);
    execFileSync('mkfifo', [apps.ollama.hfBlob]);
    await expect(quickly(call('apps.adopt', { path: apps.ollama.hfBlob, repo: TINY, mode: 'copy' }))).rejects.toThrow(/named pipe|not a file/);
    expect(fs.existsSync(cache)).toBe(false);
  });
});

describe('named pipes where models should be', () => {
  it('a FIFO as Ollama’s blob: four scans at once all end, cancel works, and the core still answers', async () => {
    fs.rmSync(apps.ollama.hfBlob);
    execFileSync('mkfifo', [apps.ollama.hfBlob]);
    const scans = [0, 1, 2, 3].map(() => dispatch(core.handlers, 'apps.scan', {}));
    await call('apps.cancelScan', {});
    const results = await quickly(Promise.all(scans));
    // Each scan either finished or was cancelled by the next one; none is left waiting.
    expect(results.every((r) => r.ok || r.error.code === 'CANCELLED')).toBe(true);
    const last = await quickly(call<AppsReport>('apps.scan', {}));
    expect(last.folders.find((f) => f.app === 'ollama')?.notes.join(' ')).toMatch(/its model blob is a named pipe/);
    // Unrelated work goes on: a file added to the Library, the Library listed.
    const added = await quickly(call<AddResult>('library.add', { paths: [apps.ollama.libraryBlob] }));
    expect(added.added).toHaveLength(0);
    const model = path.join(tmpDir(), 'mine.gguf');
    fs.writeFileSync(model, apps.tinyLlama);
    expect((await quickly(call<AddResult>('library.add', { paths: [model] }))).added).toHaveLength(1);
    // And a FIFO dropped on the Library is refused with its reason.
    const pipe = path.join(tmpDir(), 'pipe.gguf');
    execFileSync('mkfifo', [pipe]);
    const refused = await quickly(call<AddResult>('library.add', { paths: [pipe] }));
    expect(refused.skipped[0]?.reason).toMatch(/Not a regular file|named pipe/);
    await quickly(call<LibraryItem[]>('library.list', {}));
    // A Library file later replaced by a pipe is not handed to llama.cpp (which would wait on it forever).
    const mine = (await call<LibraryItem[]>('library.list', {})).find((i) => i.path === fs.realpathSync(model));
    fs.rmSync(model);
    execFileSync('mkfifo', [model]);
    await expect(quickly(call('inference.load', { key: mine?.key }))).rejects.toMatchObject({
      code: 'INVALID_PATH',
      message: expect.stringMatching(/not a regular file/),
    });
  });

  it('a FIFO as a blob in the Hugging Face cache: the Library, verify and the model page answer', async () => {
    const blob = await cachedCopy();
    fs.rmSync(blob);
    execFileSync('mkfifo', [blob]);
    core.cache.invalidate();
    const items = await quickly(call<LibraryItem[]>('library.list', {}));
    const cached = items.find((i) => i.source === 'cache' && i.repo === TINY);
    expect(cached?.problem ?? '').toMatch(/named pipe/);
    const verify = await quickly(call<VerifyView>('cache.verify', { repo: `model:${TINY}` }));
    expect(verify.corrupt).toHaveLength(1);
  });

  it('a FIFO as a ref or a trees/ record does not stop the cache scan', async () => {
    await cachedCopy();
    const repo = path.join(cache, 'models--hubcap-test--tiny-llama-GGUF');
    fs.rmSync(path.join(repo, 'refs', 'main'));
    execFileSync('mkfifo', [path.join(repo, 'refs', 'main')]);
    for (const f of fs.readdirSync(path.join(repo, 'trees'))) {
      fs.rmSync(path.join(repo, 'trees', f));
      execFileSync('mkfifo', [path.join(repo, 'trees', f)]);
    }
    core.cache.invalidate();
    const items = await quickly(call<LibraryItem[]>('library.list', {}));
    expect(items.some((i) => i.repo === TINY)).toBe(true);
  });
});
