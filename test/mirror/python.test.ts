/**
 * The clients people use, through the mirror (#28.1, #28.5): huggingface_hub 2.0 and 1.x on a second
 * machine (a network namespace that cannot reach the fakehub) get identical files with
 * snapshot_download, hf_hub_download and `hf download`, and work offline afterwards; a second
 * client costs the Hub nothing; with the uplink cut, cached models still come; clients at once on a
 * file still being pulled through all get it while the Hub sends it once; Hubcap itself takes the
 * mirror as its endpoint, cached or pulled through.
 */
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { startFakeHub, type FakeHub } from '../fakehub/server';
import { bigRepo, standardRepos, TOKENS } from '../fakehub/fixtures';
import { buildRepo, type FakeRepo } from '../fakehub/model';
import { seededContent } from '../fakehub/content';
import { runHfPython } from '../helpers/hf-python';
import { download, hubHttp, manager } from '../helpers/hub';
import { isTerminal, type DownloadRequest } from '../../src-main/contract/downloads';
import { ApiError } from '../../src-main/contract/errors';
import type { LinkShape } from '../fakehub/link';
import { tmpDir } from '../helpers/tmp';
import { HubHttp } from '../../src-main/hub/http';
import { parseAllowList } from '../../src-main/mirror/allow-list';
import { filledCache, KEY, mirrorOver } from './setup';
import { secondMachine, type SecondMachine } from './second-machine';

const REPO = 'acme/tiny-llm';
const SCRIPT = new URL('./mirror_client.py', import.meta.url).pathname;

let machine: SecondMachine | null = null;
let hub: FakeHub | null = null;
afterEach(async () => {
  machine?.close();
  machine = null;
  await hub?.close().catch(() => undefined);
  hub = null;
});

function expectedFiles(h: FakeHub, revision = 'main'): Record<string, string> {
  const repo = h.repos.get(`model:${REPO}`) as FakeRepo;
  const commit = repo.commits.find((c) => c.sha === repo.refs.get(revision)) ?? repo.commits.at(-1);
  return Object.fromEntries([...(commit?.files.values() ?? [])].map((f) => [f.path, f.sha256]));
}

/** Requests that carried file bytes from the Hub (resolve or the CDN) since `from`. */
const fileRequests = (h: FakeHub, from: number) => h.log.slice(from).filter((r) => r.origin === 'cdn' || r.url.includes('/resolve/'));

async function setup() {
  hub = await startFakeHub({ repos: standardRepos(), tokens: TOKENS });
  const cache = await filledCache(hub, [REPO, `${REPO}@v1.0`]);
  machine = secondMachine();
  const m = await mirrorOver(cache, hub.url, { host: machine.hostAddress, allow: parseAllowList(`${machine.clientAddress}/32`) });
  const endpoint = `http://${machine.hostAddress}:${m.mirror.port}/${KEY}`;
  return { hub, machine, m, endpoint, cache };
}

/** A mirror over an empty cache that pulls through an engine of its own, listening where `machine` reaches it. */
async function pullingMirror(repos: FakeRepo[], link: LinkShape, on: SecondMachine | null) {
  hub = await startFakeHub({ repos, tokens: TOKENS, link });
  const h = hub;
  const { m: engine, cache } = manager(hubHttp(h));
  const jobs: DownloadRequest[] = [];
  const download = async (request: DownloadRequest): Promise<number> => {
    jobs.push(request);
    const { id } = engine.add(request);
    for (;;) {
      const job = engine.get(id);
      if (isTerminal(job.state)) {
        if (job.state !== 'done') throw new ApiError(job.error?.code ?? 'INTERNAL', job.error?.message ?? job.state);
        return job.bytesDone;
      }
      await new Promise((r) => setTimeout(r, 20));
    }
  };
  const m = await mirrorOver(cache, h.url, {
    pull: { endpoint: h.url, offline: () => false, download },
    ...(on ? { host: on.hostAddress, allow: parseAllowList(`${on.clientAddress}/32`) } : {}),
  });
  const endpoint = on ? `http://${on.hostAddress}:${m.mirror.port}/${KEY}` : m.endpoint;
  return { h, m, jobs, cache, endpoint };
}

const MiB = 1 << 20;
const HF_CLI = 'import sys; from huggingface_hub.cli.hf import main; sys.argv = ["hf", *sys.argv[1:]]; sys.exit(main())';

describe('mirror: the clients people use', () => {
  it('Python 2.0 on a second machine: identical files, offline afterwards, a second client and a cut uplink cost the Hub nothing', async () => {
    const { hub: h, machine: second, endpoint, m } = await setup();
    const from = h.log.length;
    const c1 = tmpDir();
    const first = await second.python([SCRIPT, 'snapshot', REPO, c1], { HF_ENDPOINT: endpoint });
    expect(first.code, first.stderr).toBe(0);
    const got = JSON.parse(first.stdout) as { folder: string; files: Record<string, string> };
    expect(got.files).toEqual(expectedFiles(h));
    // Offline on that machine afterwards: Python finds the snapshot by itself.
    const offline = await second.python([SCRIPT, 'snapshot', REPO, c1], { HF_ENDPOINT: endpoint, HF_HUB_OFFLINE: '1' });
    expect(offline.code, offline.stderr).toBe(0);
    expect(JSON.parse(offline.stdout)).toEqual(got);
    const one = await second.python([SCRIPT, 'file', REPO, c1, 'main', 'tiny-llm-Q8_0.gguf'], { HF_ENDPOINT: 'http://127.0.0.1:1', HF_HUB_OFFLINE: '1' });
    expect(JSON.parse(one.stdout).sha256).toBe(expectedFiles(h)['tiny-llm-Q8_0.gguf']);

    // A second client: everything from the mirror.
    const c2 = tmpDir();
    const again = await second.python([SCRIPT, 'snapshot', REPO, c2], { HF_ENDPOINT: endpoint });
    expect(JSON.parse(again.stdout).files).toEqual(expectedFiles(h));
    expect(fileRequests(h, from)).toEqual([]);
    const served = m.mirror.stats();
    expect(served.bytesUpstream).toBe(0);
    expect(served.bytesFromCache).toBe(
      2 * Object.keys(got.files).reduce((a, p) => a + ((h.repos.get(`model:${REPO}`) as FakeRepo).commits.at(-1)?.files.get(p)?.content.size ?? 0), 0),
    );

    // The uplink cut: the repo was seen public, so it keeps coming.
    await h.close();
    const c3 = tmpDir();
    const cut = await second.python([SCRIPT, 'snapshot', REPO, c3, 'v1.0'], { HF_ENDPOINT: endpoint });
    expect(cut.code, cut.stderr).toBe(0);
    expect(JSON.parse(cut.stdout).files).toEqual(expectedFiles(h, 'v1.0'));
  }, 240_000);

  it('hf_hub_download by tag and `hf download` get the same bytes as from the Hub', async () => {
    const { hub: h, machine: second, endpoint } = await setup();
    const c = tmpDir();
    const byTag = await second.python([SCRIPT, 'file', REPO, c, 'v1.0', 'config.json'], { HF_ENDPOINT: endpoint });
    expect(byTag.code, byTag.stderr).toBe(0);
    expect(JSON.parse(byTag.stdout).sha256).toBe(expectedFiles(h, 'v1.0')['config.json']);
    const cli = await second.python(
      [
        '-c',
        'import sys; from huggingface_hub.cli.hf import main; sys.argv = ["hf", *sys.argv[1:]]; sys.exit(main())',
        'download',
        REPO,
        'tiny-llm-Q4_K_M.gguf',
        '--cache-dir',
        c,
      ],
      { HF_ENDPOINT: endpoint },
    );
    expect(cli.code, cli.stderr).toBe(0);
    const printed = cli.stdout.trim().split('\n').pop() as string;
    expect(path.basename(printed)).toBe('tiny-llm-Q4_K_M.gguf');
    const check = await second.python([SCRIPT, 'file', REPO, c, 'main', 'tiny-llm-Q4_K_M.gguf'], { HF_ENDPOINT: endpoint, HF_HUB_OFFLINE: '1' });
    expect(JSON.parse(check.stdout).sha256).toBe(expectedFiles(h)['tiny-llm-Q4_K_M.gguf']);
  }, 240_000);

  it('huggingface_hub 1.x on a second machine: snapshot_download, hf_hub_download by tag and its `hf download` get identical files, offline afterwards', async () => {
    const { hub: h, machine: second, endpoint } = await setup();
    const version = await second.python1(['-c', 'import huggingface_hub; print(huggingface_hub.__version__)'], {});
    expect(version.stdout.trim()).toMatch(/^1\./);
    const c = tmpDir();
    const snap = await second.python1([SCRIPT, 'snapshot', REPO, c], { HF_ENDPOINT: endpoint });
    expect(snap.code, snap.stderr).toBe(0);
    expect(JSON.parse(snap.stdout).files).toEqual(expectedFiles(h));
    const offline = await second.python1([SCRIPT, 'snapshot', REPO, c], { HF_ENDPOINT: 'http://127.0.0.1:1', HF_HUB_OFFLINE: '1' });
    expect(JSON.parse(offline.stdout).files).toEqual(expectedFiles(h));
    const byTag = await second.python1([SCRIPT, 'file', REPO, tmpDir(), 'v1.0', 'config.json'], { HF_ENDPOINT: endpoint });
    expect(JSON.parse(byTag.stdout).sha256).toBe(expectedFiles(h, 'v1.0')['config.json']);
    const c2 = tmpDir();
    const cli = await second.python1(['-c', HF_CLI, 'download', REPO, 'tiny-llm-Q8_0.gguf', '--cache-dir', c2], { HF_ENDPOINT: endpoint });
    expect(cli.code, cli.stderr).toBe(0);
    const check = await second.python1([SCRIPT, 'file', REPO, c2, 'main', 'tiny-llm-Q8_0.gguf'], { HF_ENDPOINT: endpoint, HF_HUB_OFFLINE: '1' });
    expect(JSON.parse(check.stdout).sha256).toBe(expectedFiles(h)['tiny-llm-Q8_0.gguf']);
  }, 240_000);

  it('a second machine’s clients at once on one file still being pulled through (Python 2.0, 1.x, hf download): identical bytes, the Hub sends it once', async () => {
    machine = secondMachine();
    const size = 24 * MiB + 3;
    const { h, jobs, endpoint } = await pullingMirror([bigRepo(size), ...standardRepos()], { perConnection: 4 * MiB, aggregate: 8 * MiB }, machine);
    const sha256 = (h.repos.get('model:acme/big') as FakeRepo).commits.at(-1)?.files.get('big.gguf')?.sha256;
    const from = h.log.length;
    const cliCache = tmpDir();
    const [two, one, cli] = await Promise.all([
      machine.python([SCRIPT, 'file', 'acme/big', tmpDir(), 'main', 'big.gguf'], { HF_ENDPOINT: endpoint }, 240_000),
      machine.python1([SCRIPT, 'file', 'acme/big', tmpDir(), 'main', 'big.gguf'], { HF_ENDPOINT: endpoint }, 240_000),
      machine.python(['-c', HF_CLI, 'download', 'acme/big', 'big.gguf', '--cache-dir', cliCache], { HF_ENDPOINT: endpoint }, 240_000),
    ]);
    for (const r of [two, one, cli]) expect(r.code, r.stderr).toBe(0);
    expect([JSON.parse(two.stdout).sha256, JSON.parse(one.stdout).sha256]).toEqual([sha256, sha256]);
    const check = await machine.python([SCRIPT, 'file', 'acme/big', cliCache, 'main', 'big.gguf'], { HF_ENDPOINT: endpoint, HF_HUB_OFFLINE: '1' });
    expect(JSON.parse(check.stdout).sha256).toBe(sha256);
    expect(jobs).toHaveLength(1);
    const sent = h.log
      .slice(from)
      .filter((r) => r.origin === 'cdn')
      .reduce((n, r) => n + (r.bytes ?? 0), 0);
    expect(sent).toBeLessThan(size + MiB);
  }, 300_000);

  it('a dataset by refs/pr/N: Python gets that revision’s files', async () => {
    const data = buildRepo({
      id: 'acme/corpus',
      type: 'dataset',
      commits: [{ files: { 'train.jsonl': '{"a":1}\n', 'data/shard-0.parquet': seededContent('p0', 70_000) } }, { files: { 'train.jsonl': '{"a":2}\n' } }],
      refs: { 'refs/pr/1': 0 },
    });
    hub = await startFakeHub({ repos: [...standardRepos(), data], tokens: TOKENS });
    const cache = await filledCache(hub, ['datasets/acme/corpus@refs/pr/1']);
    const m = await mirrorOver(cache, hub.url);
    const pr = data.commits[0];
    const r = await runHfPython([SCRIPT, 'snapshot', 'acme/corpus', tmpDir(), 'refs/pr/1'], { HF_ENDPOINT: m.endpoint, MIRROR_REPO_TYPE: 'dataset' });
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout).files).toEqual(Object.fromEntries([...(pr?.files.values() ?? [])].map((f) => [f.path, f.sha256])));
  }, 240_000);

  it('Hubcap itself, pointed at the mirror (a desktop using the lab box), downloads the repo', async () => {
    hub = await startFakeHub({ repos: standardRepos(), tokens: TOKENS });
    const cache = await filledCache(hub, [REPO]);
    const m = await mirrorOver(cache, hub.url);
    const from = hub.log.length;
    const desktop = new HubHttp({ endpoint: `${m.mirror.url}/${KEY}`, token: () => null, offline: () => false });
    const { m: engine, cache: theirs } = manager(desktop);
    const job = await download(engine, { repo: REPO });
    expect(job.state, JSON.stringify(job.error)).toBe('done');
    expect(fileRequests(hub, from)).toEqual([]);
    // Python reads what Hubcap wrote from the mirror, offline.
    const c = await secondMachineless(theirs);
    expect(c).toEqual(expectedFiles(hub));
  }, 240_000);

  it('Hubcap pointed at a Hubcap that lacks the file: its range connections are served while the lab box pulls it once', async () => {
    const size = 40 * MiB + 5;
    const { h, jobs, endpoint } = await pullingMirror([bigRepo(size), ...standardRepos()], { perConnection: 4 * MiB, aggregate: 10 * MiB }, null);
    const from = h.log.length;
    const desktop = new HubHttp({ endpoint, token: () => null, offline: () => false });
    const { m: engine, cache: theirs } = manager(desktop);
    const job = await download(engine, { repo: 'acme/big' });
    expect(job.state, JSON.stringify(job.error)).toBe('done');
    const sha256 = (h.repos.get('model:acme/big') as FakeRepo).commits.at(-1)?.files.get('big.gguf')?.sha256 as string;
    // The desktop verified the blob by its name; the lab box fetched it once, on its own engine.
    const mine = await runHfPython([SCRIPT, 'file', 'acme/big', theirs, 'main', 'big.gguf'], { HF_HUB_OFFLINE: '1' });
    expect(JSON.parse(mine.stdout).sha256).toBe(sha256);
    expect(jobs).toHaveLength(1);
    expect(
      h.log
        .slice(from)
        .filter((r) => r.origin === 'cdn')
        .reduce((n, r) => n + (r.bytes ?? 0), 0),
    ).toBeLessThan(size + MiB);
  }, 300_000);
});

/** Python 2.0 on this machine reading a cache offline: path → sha256. */
async function secondMachineless(cache: string): Promise<Record<string, string>> {
  const { runHfPython } = await import('../helpers/hf-python');
  const r = await runHfPython([SCRIPT, 'snapshot', REPO, cache], { HF_HUB_OFFLINE: '1' });
  if (r.code !== 0) throw new Error(r.stderr);
  return (JSON.parse(r.stdout) as { files: Record<string, string> }).files;
}
