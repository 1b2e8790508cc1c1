import path from 'node:path';
import { afterEach } from 'vitest';
import { HubHttp } from '../../src-main/hub/http';
import { DownloadManager, type ManagerOptions } from '../../src-main/downloads/manager';
import { memoryQueueStore } from '../../src-main/downloads/queue-store';
import type { DownloadJob, DownloadRequest } from '../../src-main/downloads/types';
import { startFakeHub, type FakeHub, type FakeHubOptions } from '../fakehub/server';
import { standardRepos, TOKENS } from '../fakehub/fixtures';
import { tmpDir } from './tmp';
import type { BlobRequest } from '../../src-main/downloads/blob-fetch';
import { fileMetadata, resolveUrl } from '../../src-main/hub/resolve';
import { repoFolderName } from '../../src-main/cache/layout';

const hubs: FakeHub[] = [];
const managers: DownloadManager[] = [];
afterEach(async () => {
  for (const m of managers.splice(0)) await m.close();
  for (const h of hubs.splice(0)) await h.close();
});

export async function fakeHub(opts: FakeHubOptions = {}): Promise<FakeHub> {
  const hub = await startFakeHub({ repos: standardRepos(), tokens: TOKENS, ...opts });
  hubs.push(hub);
  return hub;
}

export function hubHttp(hub: FakeHub, opts: { token?: string | null; offline?: boolean } = {}): HubHttp {
  return new HubHttp({ endpoint: hub.url, token: () => opts.token ?? null, offline: () => opts.offline ?? false });
}

export function manager(http: HubHttp, extra: Partial<ManagerOptions> = {}): { m: DownloadManager; cache: string; events: DownloadJob[] } {
  const cache = extra.cacheDir?.() ?? path.join(tmpDir(), 'hub');
  const events: DownloadJob[] = [];
  const m = new DownloadManager({
    hub: http,
    cacheDir: () => cache,
    store: memoryQueueStore(),
    onChange: (j) => events.push(j),
    stallTimeoutMs: 2000,
    ...extra,
  });
  managers.push(m);
  return { m, cache, events };
}

export async function download(m: DownloadManager, req: Partial<DownloadRequest> & { repo: string }): Promise<DownloadJob> {
  const job = m.add({ repoType: 'model', revision: 'main', ...req });
  await m.whenIdle();
  return m.get(job.id);
}

/** Bytes the CDN (or API) origin sent for requests whose URL contains `part`. */
export function requestsTo(hub: FakeHub, origin: 'api' | 'cdn', part = ''): { url: string; range?: string; auth?: string }[] {
  return hub.log
    .filter((r) => r.origin === origin && r.url.includes(part))
    .map((r) => ({
      url: r.url,
      ...(r.headers.range ? { range: r.headers.range } : {}),
      ...(r.headers.authorization ? { auth: r.headers.authorization } : {}),
    }));
}

/** What fetchBlob needs for one file of a model repo at main, into a fresh cache. */
export async function blobRequest(hub: FakeHub, repoId: string, file: string): Promise<BlobRequest> {
  const http = hubHttp(hub);
  const repo = { type: 'model' as const, id: repoId };
  const meta = await fileMetadata(http, repo, 'main', file);
  return {
    url: resolveUrl(http, repo, meta.commit, file),
    etag: meta.etag,
    size: meta.size,
    cacheDir: path.join(tmpDir(), 'hub'),
    repoFolder: repoFolderName(repo),
    ctx: { repo: repo.id, revision: 'main', path: file },
  };
}
