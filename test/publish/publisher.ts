/** A PublishService on a fake Hub with the real upload worker, and ways to wait on its job events. */
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import { FileHashes } from '../../src-main/apps/hashes';
import { ApiError } from '../../src-main/contract/errors';
import type { PublishJob } from '../../src-main/contract/publish';
import { PublishStart, PublishPlanInput } from '../../src-main/contract/publish';
import { HubHttp } from '../../src-main/hub/http';
import { uploadWorkerFactory } from '../../src-main/publish/commit-runner';
import { PublishService } from '../../src-main/publish/service';
import type { FakeHub } from '../fakehub/server';
import { tmpDir } from '../helpers/tmp';

export function publisher(hub: FakeHub, token: string | null, extra: { stallMs?: number; filesPerCommit?: number; disableXet?: boolean } = {}) {
  const http = new HubHttp({ endpoint: hub.url, token: () => token, offline: () => false });
  const events: PublishJob[] = [];
  const waiters: (() => void)[] = [];
  const svc = new PublishService({
    hub: http,
    token: () => token,
    tokenSource: () => (token ? 'keychain' : null),
    library: { item: () => Promise.reject(new ApiError('NOT_FOUND', 'no library in this test')) },
    hashes: new FileHashes(tmpDir()),
    worker: uploadWorkerFactory(),
    onChange: (j) => {
      events.push(j);
      for (const w of waiters.splice(0)) w();
    },
    stallMs: extra.stallMs ?? 3000,
    retries: 2,
    ...(extra.filesPerCommit ? { filesPerCommit: extra.filesPerCommit } : {}),
    ...(extra.disableXet ? { disableXet: true } : {}),
  });
  const until = async (id: string, test: (j: PublishJob) => boolean, ms = 30_000): Promise<PublishJob> => {
    const deadline = Date.now() + ms;
    for (;;) {
      const hit = events.filter((e) => e.id === id).find(test);
      if (hit) return hit;
      if (Date.now() > deadline) throw new Error(`timed out; last: ${JSON.stringify(events.filter((e) => e.id === id).at(-1))}`);
      await new Promise<void>((r) => {
        waiters.push(r);
        setTimeout(r, 200);
      });
    }
  };
  const finished = (id: string) => until(id, (j) => ['done', 'failed', 'cancelled'].includes(j.state));
  const plan = (paths: string[], target: Record<string, unknown>) => svc.plan(PublishPlanInput.parse({ source: { paths }, target }));
  const start = (paths: string[], target: Record<string, unknown>, more: Record<string, unknown> = {}) =>
    svc.start(PublishStart.parse({ source: { paths }, target, message: 'Upload from Hubcap', ...more }));
  return { svc, events, until, finished, plan, start };
}

export const sha256 = (file: string) => createHash('sha256').update(fs.readFileSync(file)).digest('hex');
