/** A cache filled from the fakehub by Hubcap's own engine, and a mirror over it, for test/mirror/*. */
import http from 'node:http';
import { afterEach } from 'vitest';
import { CacheIndex } from '../../src-main/cache/index';
import { MirrorAccess } from '../../src-main/mirror/access';
import { parseAllowList } from '../../src-main/mirror/allow-list';
import { startMirror, type Mirror, type MirrorOptions } from '../../src-main/mirror/server';
import { forgetVerified } from '../../src-main/mirror/verified-blob';
import type { FakeHub } from '../fakehub/server';
import { download, hubHttp, manager } from '../helpers/hub';

export const KEY = 'test-mirror-key-0123456789abcdef';

const mirrors: Mirror[] = [];
afterEach(async () => {
  for (const m of mirrors.splice(0)) await m.close();
  forgetVerified();
});

/** Downloads `repos` (id, datasets/id, either @revision) from the fakehub into a fresh cache, as a user of Hubcap would. */
export async function filledCache(hub: FakeHub, repos: string[], token: string | null = null): Promise<string> {
  const { m, cache } = manager(hubHttp(hub, { token }));
  for (const spec of repos) {
    const [name = '', revision = 'main'] = spec.split('@');
    const dataset = name.startsWith('datasets/');
    const job = await download(m, { repo: dataset ? name.slice('datasets/'.length) : name, revision, repoType: dataset ? 'dataset' : 'model' });
    if (job.state !== 'done') throw new Error(`filling the cache: ${spec} ended ${job.state}: ${JSON.stringify(job.error)}`);
  }
  return cache;
}

export interface TestMirror {
  mirror: Mirror;
  /** The endpoint a client sets as HF_ENDPOINT. */
  endpoint: string;
  index: CacheIndex;
  access: MirrorAccess;
}

export async function mirrorOver(cache: string, upstream: string, extra: Partial<MirrorOptions> = {}): Promise<TestMirror> {
  const index = new CacheIndex(() => cache, 0);
  const access = new MirrorAccess({ endpoint: upstream, offline: () => false, timeoutMs: 5000 });
  const mirror = await startMirror({
    scan: () => index.scan(),
    key: () => KEY,
    access,
    allow: parseAllowList(null),
    host: '127.0.0.1',
    port: 0,
    ...extra,
  });
  mirrors.push(mirror);
  return { mirror, endpoint: `${mirror.url}/${KEY}`, index, access };
}

/** A request with the target sent exactly as written (fetch would normalise `..` away). */
export function raw(base: string, target: string, opts: { method?: string; headers?: Record<string, string>; body?: string } = {}) {
  const u = new URL(base);
  return new Promise<{ status: number; headers: http.IncomingHttpHeaders; body: Buffer }>((resolve, reject) => {
    const req = http.request(
      { host: u.hostname, port: u.port, path: target, method: opts.method ?? 'GET', headers: opts.headers ?? {}, agent: false },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }));
      },
    );
    req.on('error', reject);
    req.end(opts.body);
  });
}
