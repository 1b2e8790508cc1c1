/**
 * Upload benchmark: one large LFS file published with `hubcap upload` to fakehub on loopback,
 * against `curl -T` of the same bytes to the same upload host in the same run (and `sha256sum`,
 * since the LFS protocol needs the hash before any byte is sent: curl alone skips that step);
 * peak RSS of the uploading process (target < 200 MB: it streams, never buffers a file).
 * Runs alternate; each run changes the file's first bytes so every upload is new to the Hub.
 *
 * With --xet, the fake Hub also runs its CAS and the same file (bytes that never repeat) is
 * published both ways in each run, alternating: over Xet (the Hub answers `transfer: "xet"`) and by
 * the fallback (`uploads.accept` off: basic PUT), then two new revisions over Xet: 256 KiB replaced
 * in the middle, and the first 32 bytes changed (a header edit). The CAS log gives the bytes each
 * really sent. Note that the fake CAS checks each xorb (decode, re-chunk, hash) and each shard's
 * sha256 before answering, work inside the measured time that the fallback's host does not do.
 *
 *   npm run build && npx tsx bench/upload.ts [--mib 1024] [--runs 3] [--xet]
 */
import { spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { startFakeHub } from '../test/fakehub/server';
import { TOKENS } from '../test/fakehub/fixtures';
import { seededContent } from '../test/fakehub/content';
import { noiseContent } from '../test/fakehub/xet/fixtures';

const { values } = parseArgs({
  options: { mib: { type: 'string', default: '1024' }, runs: { type: 'string', default: '3' }, xet: { type: 'boolean', default: false } },
});
const size = Number(values.mib) * 1024 * 1024;
const runs = Number(values.runs);
// HUBCAP_CLI: a copy of the build, when others may rebuild out/ meanwhile.
const CLI = process.env.HUBCAP_CLI ?? new URL('../out/main/cli.js', import.meta.url).pathname;
if (!fs.existsSync(CLI)) throw new Error('Build first: npm run build');
const BOB = Object.keys(TOKENS)[1] as string;

// Basic PUTs for every size, as curl -T makes: the same request on both sides (multipart is tested, not timed).
const hub = await startFakeHub({
  tokens: TOKENS,
  uploads: { multipartThreshold: Number.MAX_SAFE_INTEGER },
  ...(values.xet ? { xet: { acceptUploads: false } } : {}),
});
const work = fs.mkdtempSync(path.join(os.tmpdir(), 'hubcap-bench-up-'));
const file = path.join(work, 'weights.gguf');
{
  // Xet deduplicates the fake Hub's seeded content (it repeats every MiB): bytes that never repeat there.
  const content = values.xet ? noiseContent('upload-bench', size) : seededContent('upload-bench', size);
  const fd = fs.openSync(file, 'w');
  for (let pos = 0; pos < size; pos += 8 << 20) fs.writeSync(fd, content.read(pos, Math.min(size, pos + (8 << 20))), 0, undefined, pos);
  fs.closeSync(fd);
}
const env = { ...process.env, HF_ENDPOINT: hub.url, HF_TOKEN: BOB, HOME: work, HUBCAP_DATA_DIR: path.join(work, 'data'), HUBCAP_BENCH: '1' };

/** New bytes for this run: the Hub would otherwise skip an object it already holds. */
function stamp(run: number): void {
  const fd = fs.openSync(file, 'r+');
  fs.writeSync(fd, Buffer.from(`run-${run}-${Date.now()}`.padEnd(32, '.')), 0, 32, 0);
  fs.closeSync(fd);
}

const seconds = (t0: bigint) => Number(process.hrtime.bigint() - t0) / 1e9;

function run(cmd: string, args: string[]): Promise<{ seconds: number; out: string }> {
  const t0 = process.hrtime.bigint();
  const p = spawn(cmd, args, { env, stdio: ['ignore', 'pipe', 'inherit'] });
  let out = '';
  p.stdout.on('data', (d: Buffer) => (out += d.toString()));
  return new Promise((resolve, reject) =>
    p.on('exit', (code) => (code === 0 ? resolve({ seconds: seconds(t0), out }) : reject(new Error(`${cmd} exited ${code}`)))),
  );
}

async function uploadHref(oid: string): Promise<string> {
  const res = await fetch(`${hub.url}/bob/curl-target.git/info/lfs/objects/batch`, {
    method: 'POST',
    headers: { authorization: `Bearer ${BOB}`, 'content-type': 'application/vnd.git-lfs+json' },
    body: JSON.stringify({ operation: 'upload', transfers: ['basic'], objects: [{ oid, size }], ref: { name: 'main' } }),
  });
  const body = (await res.json()) as { objects: { actions?: { upload: { href: string } } }[] };
  const href = body.objects[0]?.actions?.upload.href;
  if (!href) throw new Error(`no upload href: ${JSON.stringify(body)}`);
  return href;
}

await fetch(`${hub.url}/api/repos/create`, {
  method: 'POST',
  headers: { authorization: `Bearer ${BOB}`, 'content-type': 'application/json' },
  body: JSON.stringify({ name: 'curl-target' }),
});

if (values.xet) {
  await benchXet();
  process.exit(0);
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] as number;
const mbps = (s: number) => size / s / 1e6;
const hashTimes: number[] = [];
const curlTimes: number[] = [];
const hubTimes: number[] = [];
const rss: number[] = [];
for (let i = 0; i < runs; i++) {
  stamp(2 * i);
  const h = await run('sha256sum', [file]);
  hashTimes.push(h.seconds);
  const oid = h.out.split(' ')[0] as string;
  const href = await uploadHref(oid);
  curlTimes.push((await run('curl', ['-sSf', '-T', file, '-o', '/dev/null', href])).seconds);

  stamp(2 * i + 1);
  const r = await run(process.execPath, [CLI, 'upload', `bob/bench-${i}`, file, '--json']);
  hubTimes.push(r.seconds);
  const last = JSON.parse(r.out.trim().split('\n').pop() ?? '{}') as { maxRssBytes?: number; commit?: string };
  if (!last.commit) throw new Error('hubcap upload did not commit');
  rss.push(last.maxRssBytes ?? 0);
}
// What landed is what was sent.
const published = hub.repos
  .get(`model:bob/bench-${runs - 1}`)
  ?.commits.at(-1)
  ?.files.get('weights.gguf');
const local = createHash('sha256').update(fs.readFileSync(file)).digest('hex');
if (published?.sha256 !== local) throw new Error('the published bytes differ from the file');
await hub.close();
fs.rmSync(work, { recursive: true, force: true });

const curlMed = median(curlTimes);
const hashMed = median(hashTimes);
const hubMed = median(hubTimes);
const report = {
  fileMiB: size / (1 << 20),
  runs,
  sha256sumMBps: +mbps(hashMed).toFixed(1),
  curlPutMBps: +mbps(curlMed).toFixed(1),
  sha256sumThenCurlMBps: +mbps(hashMed + curlMed).toFixed(1),
  hubcapMBps: +mbps(hubMed).toFixed(1),
  hubcapVsCurlPut: +(curlMed / hubMed).toFixed(3),
  hubcapVsSha256sumThenCurl: +((hashMed + curlMed) / hubMed).toFixed(3),
  peakRssMB: +(Math.max(...rss) / 1e6).toFixed(1),
  cores: os.availableParallelism(),
  node: process.version,
  curl: spawnSync('curl', ['--version']).stdout.toString().split(' ')[1],
};
console.log(JSON.stringify(report, null, 2));
console.log(
  `hubcap upload vs sha256sum+curl -T: ${report.hubcapVsSha256sumThenCurl} (vs curl -T alone ${report.hubcapVsCurlPut}); peak RSS ${report.peakRssMB} MB (target < 200)`,
);

/** One file published over Xet and by the fallback, alternating, then two new revisions over Xet. */
async function benchXet(): Promise<void> {
  const up = hub.xet?.uploads;
  if (!up) throw new Error('no Xet side');
  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] as number;
  const rssXet: number[] = [];
  const sentBy = async (repo: string) => {
    up.log.length = 0;
    const r = await run(process.execPath, [CLI, 'upload', repo, file, '--json']);
    const last = JSON.parse(r.out.trim().split('\n').pop() ?? '{}') as { commit?: string; via?: string; xetBytesSent?: number; maxRssBytes?: number };
    if (!last.commit) throw new Error('hubcap upload did not commit');
    rssXet.push(last.maxRssBytes ?? 0);
    return { seconds: r.seconds, via: last.via, bytes: up.received().bytes, reported: last.xetBytesSent ?? 0 };
  };
  const t = { lfs: [] as number[], xet: [] as number[], patch: [] as number[], header: [] as number[] };
  const bytes = { xet: [] as number[], patch: [] as number[], header: [] as number[] };
  for (let i = 0; i < runs; i++) {
    for (const mode of i % 2 === 0 ? ['lfs', 'xet'] : ['xet', 'lfs']) {
      stamp(10 * i + (mode === 'xet' ? 1 : 0));
      up.accept = mode === 'xet';
      const r = await sentBy(`bob/bench-${mode}-${i}`);
      if (r.via !== mode) throw new Error(`expected via ${mode}, got ${String(r.via)}`);
      if (mode === 'xet') {
        if (r.reported !== r.bytes) throw new Error(`hubcap says ${r.reported} xorb bytes, the CAS took ${r.bytes}`);
        bytes.xet.push(r.bytes);
      }
      t[mode as 'lfs' | 'xet'].push(r.seconds);
    }
    // A fix in the middle of the file: 256 KiB replaced, published on top of the Xet revision.
    up.accept = true;
    const fd = fs.openSync(file, 'r+');
    fs.writeSync(fd, noiseContent(`patch-${i}`, 256 << 10).read(0, 256 << 10), 0, 256 << 10, Math.floor(size / 2));
    fs.closeSync(fd);
    const p = await sentBy(`bob/bench-xet-${i}`);
    t.patch.push(p.seconds);
    bytes.patch.push(p.bytes);
    // A header edit: the first bytes change (@huggingface/hub asks the CAS about a file's first chunk only).
    stamp(10 * i + 2);
    const h = await sentBy(`bob/bench-xet-${i}`);
    t.header.push(h.seconds);
    bytes.header.push(h.bytes);
  }
  const published = hub.repos
    .get(`model:bob/bench-xet-${runs - 1}`)
    ?.commits.at(-1)
    ?.files.get('weights.gguf');
  if (published?.sha256 !== createHash('sha256').update(fs.readFileSync(file)).digest('hex')) throw new Error('the published bytes differ from the file');
  await hub.close();
  fs.rmSync(work, { recursive: true, force: true });
  const mbps = (s: number) => +(size / s / 1e6).toFixed(1);
  const pct = (b: number) => +((100 * b) / size).toFixed(2);
  const report = {
    fileMiB: size / (1 << 20),
    runs,
    fallbackMBps: mbps(median(t.lfs)),
    xetMBps: mbps(median(t.xet)),
    xetVsFallback: +(median(t.lfs) / median(t.xet)).toFixed(3),
    xetSentPct: pct(median(bytes.xet)),
    patch256KiBSentPct: pct(median(bytes.patch)),
    patch256KiBSeconds: +median(t.patch).toFixed(2),
    patchVsFullXetTime: +(median(t.patch) / median(t.xet)).toFixed(3),
    headerEditSentPct: pct(median(bytes.header)),
    peakRssMB: +(Math.max(...rssXet) / 1e6).toFixed(1),
    cores: os.availableParallelism(),
    node: process.version,
  };
  console.log(JSON.stringify(report, null, 2));
  console.log(
    `publish over Xet vs fallback (basic PUT): ${report.xetVsFallback}x the speed; a 256 KiB fix sends ${report.patch256KiBSentPct} % of the file in ${report.patchVsFullXetTime}x the time of a full Xet upload; a header edit sends ${report.headerEditSentPct} %`,
  );
}
