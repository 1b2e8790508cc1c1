/**
 * The fake CAS is faithful: real clients (huggingface_hub 2.0 with hf_xet, @huggingface/hub's
 * downloadFile) download a Xet file from it through reconstruction plans and xorb ranges, and
 * get the same sha256. Also: the stored xorbs use every scheme, the hashes are the real ones, and
 * the knobs do what they say (expiry, signed ranges, tokens, a corrupt byte that real clients
 * pass through unnoticed, as docs/hub-protocol.md §3.4 says).
 */
import { createHash } from 'node:crypto';
import { downloadFile } from '@huggingface/hub';
import { getChunks, hashToHex, xorbHash } from '@huggingface/xetchunk-wasm';
import { afterEach, describe, expect, test } from 'vitest';
import { runHfPython } from '../helpers/hf-python';
import { tmpDir } from '../helpers/tmp';
import { startFakeHub, type FakeHub } from './server';
import type { FakeCas } from './xet/cas';
import { XET_FILE, XET_REPO, mixedXetContent, weightsContent, xetRepo } from './xet/fixtures';
import { encodeChunk } from './xet/xorbs';

let hub: FakeHub | null = null;

/** The value, or a failed test naming what was missing. */
function must<T>(v: T | null | undefined, what: string): T {
  if (v === null || v === undefined) throw new Error(`missing: ${what}`);
  return v;
}

function casOf(h: FakeHub): FakeCas {
  return must(h.xet, 'the Xet side').cas;
}
afterEach(async () => {
  await hub?.close();
  hub = null;
});

const content = mixedXetContent();
const sha256 = createHash('sha256').update(content.read(0, content.size)).digest('hex');

async function start(knobs = {}): Promise<FakeHub> {
  // The CAS and CDN on another loopback address: Python takes the Xet path only when the resolve
  // redirect leaves the Hub's host (§3.4).
  hub = await startFakeHub({ repos: [xetRepo()], storageHost: '127.0.0.2', xet: { maxXorbBytes: 1 << 20, knobs } });
  return hub;
}

const PY_DOWNLOAD = [
  'import hashlib, sys',
  'from huggingface_hub import hf_hub_download',
  'p = hf_hub_download(sys.argv[1], sys.argv[2], cache_dir=sys.argv[3])',
  'print(hashlib.sha256(open(p, "rb").read()).hexdigest())',
].join('\n');

async function pythonDownload(h: FakeHub): Promise<string> {
  const home = tmpDir('hubcap-xet-py-');
  const r = await runHfPython(['-c', PY_DOWNLOAD, XET_REPO, XET_FILE, `${home}/cache`], { HF_ENDPOINT: h.url, HF_HOME: home }, 120_000);
  if (r.code !== 0) throw new Error(`python failed (${r.code}): ${r.stderr.slice(-3000)}`);
  return r.stdout.trim().split('\n').pop() ?? '';
}

async function jsDownload(h: FakeHub): Promise<string> {
  const blob = await downloadFile({ repo: XET_REPO, path: XET_FILE, hubUrl: h.url });
  if (!blob) throw new Error('downloadFile found nothing');
  return createHash('sha256')
    .update(Buffer.from(await blob.arrayBuffer()))
    .digest('hex');
}

function modelXetFile(h: FakeHub) {
  const repo = must(h.repos.get(`model:${XET_REPO}`), 'repo');
  const file = must(repo.commits[0]?.files.get(XET_FILE), 'file');
  return must(must(h.xet, 'xet').fileOf(repo, file), 'xet file');
}

const xorbGets = (h: FakeHub) => (h.xet?.cas.log ?? []).filter((r) => r.url.startsWith('/xorbs/'));

describe('the fake CAS', () => {
  test('stores real xorbs: every scheme, real chunk, xorb and file hashes', async () => {
    const h = await start();
    const xetFile = modelXetFile(h);
    const whole = content.read(0, content.size);
    // The file hash is the one the real chunker gives for the bytes.
    const { fileHash } = await import('@huggingface/xetchunk-wasm');
    expect(xetFile.hash).toBe(hashToHex(fileHash(getChunks(whole))));
    const store = casOf(h).store;
    const schemes = new Set([...store.xorbs.values()].flatMap((x) => x.chunks.map((c) => c.scheme)));
    expect([...schemes].sort()).toEqual([0, 1, 2]);
    expect(store.xorbs.size).toBeGreaterThan(1);
    // Every xorb is named by the Merkle hash of its chunks.
    for (const x of store.xorbs.values()) expect(hashToHex(xorbHash(x.chunks.map((c) => ({ hash: c.hash, length: c.length }))))).toBe(x.hash);
    // The repeated megabyte is stored once: a term points back into an earlier xorb.
    const xorbsOfTerms = xetFile.terms.map((t) => t.xorb);
    expect(new Set(xorbsOfTerms).size).toBeLessThan(xorbsOfTerms.length);
  });

  test('bench weights read the same at any offset, and store byte-grouped, about an eighth smaller', () => {
    const w = weightsContent('weights', 1 << 20);
    const whole = w.read(0, w.size);
    for (const [a, b] of [
      [0, 10],
      [1, 2],
      [777, 65_537],
      [w.size - 3, w.size],
    ] as const)
      expect(w.read(a, b).equals(whole.subarray(a, b))).toBe(true);
    const chunk = whole.subarray(0, 64 << 10);
    const { scheme, payload } = encodeChunk(chunk, 'auto');
    expect(scheme).toBe(2);
    expect(payload?.length).toBeLessThan(chunk.length * 0.9);
  });

  test('huggingface_hub 2.0 with hf_xet downloads it through xorb ranges, same sha256', { timeout: 180_000 }, async () => {
    const h = await start();
    expect(await pythonDownload(h)).toBe(sha256);
    expect(xorbGets(h).length).toBeGreaterThan(0);
    expect(h.log.filter((r) => r.origin === 'cdn')).toEqual([]);
    // No Authorization ever reaches a presigned xorb URL (the CAS answers 400 to one).
    expect(xorbGets(h).every((r) => r.status === 206)).toBe(true);
  });

  test('huggingface_hub 2.0 falls back to v1 reconstructions when v2 is missing', { timeout: 180_000 }, async () => {
    const h = await start({ v2Status: 404 });
    expect(await pythonDownload(h)).toBe(sha256);
    expect(casOf(h).log.some((r) => r.url.startsWith('/v1/reconstructions/') && r.status === 200)).toBe(true);
  });

  test("@huggingface/hub's downloadFile gets it through v2 and multi-range answers, same sha256", { timeout: 120_000 }, async () => {
    const h = await start();
    expect(await jsDownload(h)).toBe(sha256);
    expect(casOf(h).log.some((r) => r.url.startsWith('/v2/reconstructions/'))).toBe(true);
    expect(xorbGets(h).some((r) => (r.headers.range ?? '').includes(','))).toBe(true);
  });

  test('a flipped xorb byte comes through both real clients unnoticed (they check lengths only)', { timeout: 180_000 }, async () => {
    const h = await start();
    const term = must(modelXetFile(h).terms[0], 'first term');
    const first = must(casOf(h).store.xorbs.get(term.xorb), 'xorb');
    // A data byte of an uncompressed chunk the file uses: lengths stay right, only the content changes.
    const plain = must(first.chunks[term.start], 'chunk');
    expect(plain.scheme).toBe(0);
    casOf(h).faults.add({ kind: 'corrupt', xorb: first.hash, offset: plain.offset + 100, times: Infinity });
    expect(await pythonDownload(h)).not.toBe(sha256);
    expect(await jsDownload(h)).not.toBe(sha256);
  });

  test('token, expiry and signed ranges are enforced', async () => {
    const h = await start({ urlTtlMs: 60_000 });
    const tok = await fetch(`${h.url}/api/models/${XET_REPO}/xet-read-token/main`);
    const body = (await tok.json()) as { accessToken: string; casUrl: string; exp: number };
    expect(tok.headers.get('x-xet-access-token')).toBe(body.accessToken);
    expect(tok.headers.get('x-xet-cas-url')).toBe(body.casUrl);
    expect(Number(tok.headers.get('x-xet-token-expiration'))).toBe(body.exp);
    const hash = modelXetFile(h).hash;
    expect((await fetch(`${body.casUrl}/v2/reconstructions/${hash}`)).status).toBe(401);
    const plan = (await (await fetch(`${body.casUrl}/v2/reconstructions/${hash}`, { headers: { Authorization: `Bearer ${body.accessToken}` } })).json()) as {
      xorbs: Record<string, { url: string; ranges: { bytes: { start: number; end: number } }[] }[]>;
    };
    const entry = must(Object.values(plan.xorbs)[0]?.[0], 'a fetch entry');
    const r0 = must(entry.ranges[0], 'a range').bytes;
    expect((await fetch(entry.url, { headers: { Range: `bytes=${r0.start}-${r0.end}` } })).status).toBe(206);
    expect((await fetch(entry.url, { headers: { Range: `bytes=${r0.start}-${r0.end}`, Authorization: `Bearer ${body.accessToken}` } })).status).toBe(400);
    expect((await fetch(entry.url, { headers: { Range: `bytes=${r0.end + 1}-${r0.end + 10}` } })).status).toBe(403);
    casOf(h).faults.add({ kind: 'expire' });
    expect((await fetch(entry.url, { headers: { Range: `bytes=${r0.start}-${r0.end}` } })).status).toBe(403);
    // Range past the end of the file: 416.
    const past = await fetch(`${body.casUrl}/v1/reconstructions/${hash}`, {
      headers: { Authorization: `Bearer ${body.accessToken}`, Range: `bytes=${content.size}-${content.size + 5}` },
    });
    expect(past.status).toBe(416);
  });
});
