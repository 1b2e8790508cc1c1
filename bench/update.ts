/**
 * Model update benchmark (#26 figures) on the fake CAS, every client in the same run, alternating:
 * a repo whose new revision changes one file by a region, the old revision already in the cache,
 * then the new revision fetched by
 *   - hubcap-update:       Hubcap, the old copy downloaded by Hubcap (its terms recorded, its hash remembered);
 *   - hubcap-after-python: Hubcap, the old copy downloaded by Python 2.0 (terms learned from the CAS, the old file hashed once);
 *   - python-update:       Python 2.0's hf_hub_download with hf_xet (which reuses nothing: xet-core#715);
 *   - hubcap-full:         Hubcap into an empty cache (a full download, the reference for "< 0.2×");
 *   - hubcap-noop:         Hubcap asked for the old revision it already has (the process's floor: start, plan, checks).
 * Scenarios: a GGUF whose header changed (chat template edited) and a file with a 256 KiB region
 * replaced in the middle. Bytes moved are the xorb bytes the CAS sent during the timed step.
 *
 *   npm run build && npx tsx bench/update.ts [--gguf-mib 1024] [--mib 64] [--runs 2] [--cap 8] [--links both|cap|loopback] [--cli out/main/cli.js]
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import type { Content } from '../test/fakehub/content';
import { buildRepo } from '../test/fakehub/model';
import { startFakeHub } from '../test/fakehub/server';
import { ggufWithTemplate, regionReplaced } from '../test/fakehub/xet/delta';
import { noiseContent } from '../test/fakehub/xet/fixtures';
import { hfPython } from '../test/helpers/hf-python';

const { values } = parseArgs({
  options: {
    'gguf-mib': { type: 'string', default: '1024' },
    mib: { type: 'string', default: '64' },
    runs: { type: 'string', default: '2' },
    cap: { type: 'string', default: '8' },
    links: { type: 'string', default: 'both' },
    cli: { type: 'string', default: new URL('../out/main/cli.js', import.meta.url).pathname },
  },
});
const runs = Number(values.runs);
const CLI = path.resolve(values.cli);
if (!fs.existsSync(CLI)) throw new Error('Build first: npm run build');
// huggingface_hub 2.0 + hf_xet, found as the tests find it (it says how to install it when missing).
const PYTHON = hfPython();

const MiB = 1 << 20;
const ggufSize = Number(values['gguf-mib']) * MiB;
const size = Number(values.mib) * MiB;
const template = '{% for m in messages %}<|{{ m.role }}|>{{ m.content }}{% endfor %}';
const region = noiseContent('update-bench', size);
const scenarios: { name: string; repo: string; file: string; old: Content; next: Content }[] = [
  {
    name: `${values['gguf-mib']} MiB GGUF, chat template edited`,
    repo: 'acme/update-gguf',
    file: 'model-Q4_K_M.gguf',
    old: ggufWithTemplate(ggufSize, template),
    next: ggufWithTemplate(ggufSize, `${template.replace('{% endfor %}', '<|end|>{% endfor %}')}{% if add_generation_prompt %}<|assistant|>{% endif %}`),
  },
  {
    name: `${values.mib} MiB file, 256 KiB replaced in the middle`,
    repo: 'acme/update-region',
    file: 'model.safetensors',
    old: region,
    next: regionReplaced(region, size / 2 + 4321, 256 << 10),
  },
];
const repos = scenarios.map((s) => buildRepo({ id: s.repo, commits: [{ files: { [s.file]: s.old } }, { title: 'Update', files: { [s.file]: s.next } }] }));
const t0 = Date.now();
const hub = await startFakeHub({ repos, storageHost: '127.0.0.2', xet: {} });
process.stdout.write(`fake CAS ready (${((Date.now() - t0) / 1000).toFixed(1)} s to chunk and hash both revisions)\n`);
const cas = hub.xet?.cas;
if (!cas) throw new Error('no CAS');
const work = fs.mkdtempSync(path.join(os.tmpdir(), 'hubcap-update-bench-'));
const baseEnv: Record<string, string> = { ...(process.env as Record<string, string>), HF_ENDPOINT: hub.url, HUBCAP_BENCH: '1', HF_HUB_DISABLE_TELEMETRY: '1' };

function timed(cmd: string, args: string[], env: Record<string, string>): Promise<number> {
  const start = process.hrtime.bigint();
  const p = spawn(cmd, args, { env: { ...baseEnv, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let err = '';
  p.stdout.resume();
  p.stderr.on('data', (d: Buffer) => (err += d.toString()));
  return new Promise((resolve, reject) =>
    p.on('exit', (code) =>
      code === 0 ? resolve(Number(process.hrtime.bigint() - start) / 1e9) : reject(new Error(`${cmd} exited ${code}: ${err.slice(-800)}`)),
    ),
  );
}

/** One client's download of `revision` into `home`'s cache (Hubcap keeps its data folder there too). */
function fetchWith(who: 'hubcap' | 'python', home: string, repo: string, file: string, revision: string): Promise<number> {
  const cache = path.join(home, 'hub');
  if (who === 'python') {
    const code =
      'import sys\nfrom huggingface_hub import hf_hub_download\nhf_hub_download(sys.argv[1], sys.argv[2], revision=sys.argv[3], cache_dir=sys.argv[4])';
    return timed(PYTHON, ['-c', code, repo, file, revision, cache], { HOME: home, HF_HOME: path.join(home, 'hf-home') });
  }
  return timed(process.execPath, [CLI, 'download', repo, file, '--revision', revision, '--cache-dir', cache, '--quiet'], {
    HOME: home,
    HUBCAP_DATA_DIR: path.join(home, 'data'),
  });
}

/** Xorb bytes sent so far, once every answer has closed. */
async function xorbBytes(): Promise<number> {
  while (cas?.log.some((q) => q.url.startsWith('/xorbs/') && q.bytes === undefined && q.status === 206)) await new Promise((r) => setTimeout(r, 50));
  return (cas?.log ?? []).filter((q) => q.url.startsWith('/xorbs/')).reduce((n, q) => n + (q.bytes ?? 0), 0);
}

type Client = 'hubcap-update' | 'hubcap-after-python' | 'python-update' | 'hubcap-full' | 'hubcap-noop';
const clients: Client[] = ['hubcap-update', 'python-update', 'hubcap-after-python', 'hubcap-full', 'hubcap-noop'];
const oldBy: Record<Client, 'hubcap' | 'python' | null> = {
  'hubcap-update': 'hubcap',
  'hubcap-after-python': 'python',
  'python-update': 'python',
  'hubcap-full': null,
  'hubcap-noop': 'hubcap',
};
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] as number;

const links = [
  [`${values.cap} MB/s per connection`, { perConnection: Number(values.cap) * 1e6 }],
  ['loopback', {}],
] as const;
for (const [linkName, shape] of links.filter(([name]) => values.links === 'both' || (values.links === 'loopback') === (name === 'loopback'))) {
  for (const s of scenarios) {
    const repo = repos.find((r) => r.id === s.repo);
    const [oldSha, newSha] = [repo?.commits[0]?.sha as string, repo?.commits[1]?.sha as string];
    const times = new Map<Client, number[]>(clients.map((c) => [c, []]));
    const moved = new Map<Client, number>();
    for (let i = 0; i < runs; i++)
      for (const c of i % 2 ? [...clients].reverse() : clients) {
        const home = fs.mkdtempSync(path.join(work, `${c}-`));
        hub.link.set({});
        const first = oldBy[c];
        if (first) await fetchWith(first, home, s.repo, s.file, oldSha);
        hub.link.set(shape);
        const before = await xorbBytes();
        times.get(c)?.push(await fetchWith(c === 'python-update' ? 'python' : 'hubcap', home, s.repo, s.file, c === 'hubcap-noop' ? oldSha : newSha));
        moved.set(c, (await xorbBytes()) - before);
        fs.rmSync(home, { recursive: true, force: true });
      }
    const med = (c: Client) => median(times.get(c) ?? []);
    process.stdout.write(`\n${s.name}, ${linkName}, median of ${runs} (whole process):\n`);
    for (const c of clients) {
      const m = moved.get(c) ?? 0;
      const pct = ((100 * m) / s.next.size).toFixed(2);
      process.stdout.write(
        `  ${c.padEnd(20)} ${med(c).toFixed(2)} s  moved ${(m / 1e6).toFixed(2)} MB (${pct} % of the file)  [${(times.get(c) ?? []).map((t) => t.toFixed(2)).join(', ')}]\n`,
      );
    }
    process.stdout.write(
      `  hubcap-update / python-update: ${(med('hubcap-update') / med('python-update')).toFixed(3)}x; / hubcap-full: ${(med('hubcap-update') / med('hubcap-full')).toFixed(3)}x; hubcap-after-python / python-update: ${(med('hubcap-after-python') / med('python-update')).toFixed(3)}x\n`,
    );
  }
}
await hub.close();
fs.rmSync(work, { recursive: true, force: true });
