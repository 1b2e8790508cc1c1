/** An updates service over a fake Hub and a throwaway cache, with the real download engine. */
import fs from 'node:fs';
import path from 'node:path';
import { CacheIndex } from '../../src-main/cache/index';
import { repoDir } from '../../src-main/cache/layout';
import type { LoadedFile } from '../../src-main/cache/loaded-models';
import type { DownloadJob } from '../../src-main/contract/downloads';
import type { ManagerOptions } from '../../src-main/downloads/manager';
import { UpdatesService, type UpdatesDeps } from '../../src-main/updates/service';
import { writeGguf } from '../fixtures/gguf-writer';
import type { FakeHub } from '../fakehub/server';
import { download, hubHttp, manager } from '../helpers/hub';
import { tmpDir } from '../helpers/tmp';

export interface Setup {
  svc: UpdatesService;
  cache: string;
  dataDir: string;
  /** Models loaded now (what Chat and the Local API run), by the file each runs from. */
  loaded: LoadedFile[];
  offline: { on: boolean };
  fetchRepo(repo: string, extra?: { revision?: string; files?: string[] }): Promise<DownloadJob>;
  /** Waits until the engine is idle (the update's download ended and its ref moved). */
  idle(): Promise<void>;
  ref(repo: string, name?: string): string;
  /** The engine's download jobs (an update's among them). */
  jobs(): DownloadJob[];
}

export function setup(hub: FakeHub, opts: { token?: string; deps?: Partial<UpdatesDeps>; engine?: Partial<ManagerOptions> } = {}): Setup {
  const cache = path.join(tmpDir(), 'hub');
  const dataDir = tmpDir();
  const signedIn = hubHttp(hub, { token: opts.token ?? null });
  const anonymous = hubHttp(hub);
  const index = new CacheIndex(() => cache);
  const loaded: LoadedFile[] = [];
  const offline = { on: false };
  let svc: UpdatesService | null = null;
  const { m } = manager(signedIn, { cacheDir: () => cache, onChange: (j) => svc?.onDownload(j), ...opts.engine });
  svc = new UpdatesService({
    dataDir,
    offline: () => offline.on,
    anonymous,
    signedIn,
    scan: (fresh) => index.scan(fresh),
    invalidateCache: () => index.invalidate(),
    download: (r) => m.add(r),
    job: (id) => m.list().find((j) => j.id === id) ?? null,
    loadedModels: () => loaded,
    activeSnapshots: () => [],
    pace: { concurrency: 4, gapMs: 0, attempts: 3 },
    ...opts.deps,
  });
  return {
    svc,
    cache,
    dataDir,
    loaded,
    offline,
    fetchRepo: async (repo, extra = {}) => {
      const job = await download(m, { repo, ...extra });
      index.invalidate();
      return job;
    },
    idle: async () => {
      await m.whenIdle();
      index.invalidate();
    },
    jobs: () => m.list(),
    ref: (repo, name = 'main') => fs.readFileSync(path.join(repoDir(cache, { type: 'model', id: repo }), 'refs', name), 'utf8'),
  };
}

/** A small GGUF whose chat template (and name) we choose, padded to `pad` bytes of tensor data. */
export function ggufWithTemplate(template: string, pad = 64 * 1024): Buffer {
  return writeGguf(
    {
      'general.architecture': { type: 'string', value: 'llama' },
      'general.name': { type: 'string', value: 'Tiny' },
      'llama.context_length': { type: 'u32', value: 4096 },
      'tokenizer.ggml.model': { type: 'string', value: 'llama' },
      'tokenizer.chat_template': { type: 'string', value: template },
    },
    [{ name: 'w', dims: [pad / 4], data: new Float32Array(pad / 4).fill(0.5) }],
  );
}
