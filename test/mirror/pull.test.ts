/**
 * Pull-through (#28.2): a public repo the cache lacks is fetched from the Hub once, through the
 * download engine, while clients wait on that one job; later clients cost the Hub nothing; a branch
 * follows the Hub while it answers and the cache's refs once it does not; gated repos are never
 * pulled on the owner's token; the Hub's errors come back in its shape.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { isTerminal, type DownloadRequest } from '../../src-main/contract/downloads';
import { ApiError } from '../../src-main/contract/errors';
import { startFakeHub, type FakeHub } from '../fakehub/server';
import { standardRepos, TOKENS } from '../fakehub/fixtures';
import type { FakeRepo } from '../fakehub/model';
import { hubHttp, manager } from '../helpers/hub';
import { runHfPython } from '../helpers/hf-python';
import { tmpDir } from '../helpers/tmp';
import { mirrorOver } from './setup';

const REPO = 'acme/tiny-llm';
const SCRIPT = new URL('./mirror_client.py', import.meta.url).pathname;

let hub: FakeHub | null = null;
afterEach(async () => {
  await hub?.close().catch(() => undefined);
  hub = null;
});

/** An empty cache, a mirror over it that pulls through an engine of its own (the owner is alice). */
async function setup() {
  hub = await startFakeHub({ repos: standardRepos(), tokens: TOKENS, gatedAccess: { 'acme/gated-llm': ['alice'] } });
  const h = hub;
  const { m: engine, cache } = manager(hubHttp(h, { token: 'hf_alice_read_token_0000000000000000' }));
  const jobs: DownloadRequest[] = [];
  const download = async (request: DownloadRequest): Promise<number> => {
    jobs.push(request);
    const { id } = engine.add(request);
    await engine.whenIdle();
    const job = engine.get(id);
    if (!isTerminal(job.state) || job.state !== 'done') throw new ApiError(job.error?.code ?? 'INTERNAL', job.error?.message ?? job.state);
    return job.bytesDone;
  };
  const m = await mirrorOver(cache, h.url, { pull: { endpoint: h.url, offline: () => false, download } });
  const repo = h.repos.get(`model:${REPO}`) as FakeRepo;
  const head = repo.commits.at(-1);
  const expected = Object.fromEntries([...(head?.files.values() ?? [])].map((f) => [f.path, f.sha256]));
  return { h, m, jobs, cache, repo, expected };
}

/** File bytes the Hub's storage sent since `from` for paths containing `part`. */
const cdnBytes = (h: FakeHub, from: number, part: string) =>
  h.log
    .slice(from)
    .filter((r) => r.origin === 'cdn' && r.url.includes(part))
    .reduce((a, r) => a + (r.bytes ?? 0), 0);

describe('mirror: pull-through', () => {
  it('Python through an empty mirror gets the repo; the Hub sends each file once; the next client is served from the cache', async () => {
    const { h, m, jobs, expected } = await setup();
    const first = await runHfPython([SCRIPT, 'snapshot', REPO, tmpDir()], { HF_ENDPOINT: m.endpoint }, 120_000);
    expect(first.code, first.stderr).toBe(0);
    expect(JSON.parse(first.stdout).files).toEqual(expected);
    // One engine job per file, each a job like any other.
    expect(jobs.map((j) => j.files?.[0]).sort()).toEqual(Object.keys(expected).sort());
    expect(m.mirror.stats().bytesUpstream).toBeGreaterThan(8 << 20);
    const from = h.log.length;
    const second = await runHfPython([SCRIPT, 'snapshot', REPO, tmpDir()], { HF_ENDPOINT: m.endpoint }, 120_000);
    expect(JSON.parse(second.stdout).files).toEqual(expected);
    expect(h.log.slice(from).filter((r) => r.origin === 'cdn' || r.url.includes('/resolve/'))).toEqual([]);
    expect(jobs).toHaveLength(Object.keys(expected).length);
  }, 240_000);

  it('clients asking at once for a file being pulled share one fetch', async () => {
    const { h, m, jobs, repo } = await setup();
    const size = repo.commits.at(-1)?.files.get('tiny-llm-Q8_0.gguf')?.content.size as number;
    const from = h.log.length;
    const url = `${m.endpoint}/${REPO}/resolve/main/tiny-llm-Q8_0.gguf`;
    const sizes = await Promise.all([0, 1, 2, 3].map(async () => (await (await fetch(url)).arrayBuffer()).byteLength));
    expect(sizes).toEqual([size, size, size, size]);
    expect(jobs).toHaveLength(1);
    // The storage sent the file once (headers aside).
    const sent = cdnBytes(h, from, '');
    expect(sent).toBeGreaterThanOrEqual(size);
    expect(sent).toBeLessThan(size + 64 * 1024);
  }, 120_000);

  it('resolves a branch with the Hub while it answers and with the cache’s refs once it does not', async () => {
    const { h, m, repo } = await setup();
    const main = repo.refs.get('main') as string;
    expect(await (await fetch(`${m.endpoint}/${REPO}/resolve/main/config.json`)).text()).toBe('{"model_type":"llama","v":2}');
    await h.close();
    const cut = await fetch(`${m.endpoint}/${REPO}/resolve/main/config.json`);
    expect([cut.status, cut.headers.get('x-repo-commit')]).toEqual([200, main]);
    // Not held and the Hub gone: a retryable refusal, not a false 404.
    const missing = await fetch(`${m.endpoint}/${REPO}/resolve/main/README.md`);
    expect(missing.status).toBe(503);
  }, 120_000);

  it('passes the Hub’s errors on in its shape, and never pulls a gated repo on the owner’s token', async () => {
    const { h, m, jobs } = await setup();
    const absent = await fetch(`${m.endpoint}/${REPO}/resolve/main/absent.bin`);
    expect([absent.status, absent.headers.get('x-error-code')]).toEqual([404, 'EntryNotFound']);
    const norev = await fetch(`${m.endpoint}/api/models/${REPO}/revision/no-such-branch`);
    expect([norev.status, norev.headers.get('x-error-code')]).toEqual([404, 'RevisionNotFound']);
    const gated = await fetch(`${m.endpoint}/acme/gated-llm/resolve/main/config.json`, {
      headers: { authorization: 'Bearer hf_bob_write_token_00000000000000000' },
    });
    expect(gated.status).toBe(404);
    expect(jobs.map((j) => j.repo)).not.toContain('acme/gated-llm');
    expect(h.log.filter((r) => r.url.includes('gated-llm/resolve')).map((r) => r.headers.authorization)).not.toContain(
      'Bearer hf_alice_read_token_0000000000000000',
    );
    // A listing the cache lacks comes from the Hub as it answered.
    const tree = await fetch(`${m.endpoint}/api/models/${REPO}/tree/main?recursive=true`);
    expect(tree.status).toBe(200);
    expect(((await tree.json()) as unknown[]).length).toBeGreaterThan(3);
  }, 120_000);
});
