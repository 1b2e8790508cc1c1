/**
 * The fake CAS's upload side is faithful: @huggingface/hub's commit, offered `transfer: "xet"`,
 * uploads xorbs and a shard the fake checks byte for byte (chunk hashes, xorb hash, verification
 * and file hashes, sha256), and the file is then served by the classic resolve, by @huggingface/hub's
 * Xet download and by huggingface_hub 2.0 with hf_xet, all with the same sha256. A second revision
 * with a region replaced sends only the xorbs of its new chunks; the knob turns Xet off and the
 * client falls back to the upload host; bad xorbs, shards and tokens are refused.
 */
import { createHash } from 'node:crypto';
import { commit, downloadFile } from '@huggingface/hub';
import { afterEach, describe, expect, test } from 'vitest';
import { runHfPython } from '../helpers/hf-python';
import { tmpDir } from '../helpers/tmp';
import { TOKENS } from './fixtures';
import { startFakeHub, type FakeHub } from './server';
import { noiseContent } from './xet/fixtures';
import { dedupShard } from './xet/shard';
import type { XetUploads } from './xet/upload';

const BOB = Object.keys(TOKENS).find((t) => TOKENS[t]?.user === 'bob' && TOKENS[t]?.role === 'write') as string;
const REPO = 'bob/xet-up';
let hub: FakeHub | null = null;

afterEach(async () => {
  await hub?.close();
  hub = null;
});

async function start(acceptUploads = true): Promise<FakeHub> {
  hub = await startFakeHub({ tokens: TOKENS, storageHost: '127.0.0.2', xet: { acceptUploads } });
  const res = await fetch(`${hub.url}/api/repos/create`, {
    method: 'POST',
    headers: { Authorization: `Bearer ${BOB}`, 'content-type': 'application/json' },
    body: JSON.stringify({ name: 'xet-up', type: 'model' }),
  });
  expect(res.status).toBe(200);
  return hub;
}

const uploadsOf = (h: FakeHub): XetUploads => {
  if (!h.xet) throw new Error('no Xet side');
  return h.xet.uploads;
};
const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');

/** 6 MiB that never repeat: ~96 chunks in one xorb. */
const v1 = Buffer.from(noiseContent('xet-upload-v1', 6 << 20).read(0, 6 << 20));

async function push(h: FakeHub, bytes: Buffer, path = 'model.safetensors') {
  return commit({
    repo: { type: 'model', name: REPO },
    title: 'upload',
    operations: [{ operation: 'addOrUpdate', path, content: new Blob([new Uint8Array(bytes)]) }],
    hubUrl: h.url,
    accessToken: BOB,
  });
}

const PY_DOWNLOAD = [
  'import hashlib, sys',
  'from huggingface_hub import hf_hub_download',
  'p = hf_hub_download(sys.argv[1], sys.argv[2], cache_dir=sys.argv[3])',
  'print(hashlib.sha256(open(p, "rb").read()).hexdigest())',
].join('\n');

describe('Xet uploads to the fake CAS', () => {
  test('@huggingface/hub uploads over Xet; resolve, JS Xet and huggingface_hub 2.0 + hf_xet give the same sha256', { timeout: 240_000 }, async () => {
    const h = await start();
    const out = await push(h, v1);
    expect(out?.commit.oid).toMatch(/^[0-9a-f]{40}$/);
    const up = uploadsOf(h);
    // Xet, not the upload host: xorbs and a shard reached the CAS, nothing reached the LFS host.
    expect(up.received().xorbs).toBeGreaterThan(0);
    expect(up.log.filter((r) => r.kind === 'shard').map((r) => r.status)).toEqual([200]);
    expect(h.storedObjects().size).toBe(0);
    expect(h.log.filter((r) => r.origin === 'upload')).toEqual([]);
    // Stored compressed-or-not, never more than the bytes plus headers.
    expect(up.received().bytes).toBeLessThanOrEqual(v1.length + 8 * 200);
    expect(up.bySha256.has(sha(v1))).toBe(true);

    const head = await fetch(`${h.url}/${REPO}/resolve/main/model.safetensors`, {
      method: 'HEAD',
      redirect: 'manual',
      headers: { Authorization: `Bearer ${BOB}` },
    });
    expect(head.headers.get('x-xet-hash')).toBe(up.bySha256.get(sha(v1))?.hash);
    const resolved = await fetch(`${h.url}/${REPO}/resolve/main/model.safetensors`, { headers: { Authorization: `Bearer ${BOB}` } });
    expect(sha(Buffer.from(await resolved.arrayBuffer()))).toBe(sha(v1));

    const blob = await downloadFile({ repo: REPO, path: 'model.safetensors', hubUrl: h.url, accessToken: BOB });
    expect(sha(Buffer.from(await (blob as Blob).arrayBuffer()))).toBe(sha(v1));
    expect(h.xet?.cas.log.some((r) => r.url.startsWith('/v2/reconstructions/') && r.status === 200)).toBe(true);

    const home = tmpDir('hubcap-xet-up-py-');
    const before = h.xet?.cas.log.filter((r) => r.url.startsWith('/xorbs/')).length ?? 0;
    const py = await runHfPython(
      ['-c', PY_DOWNLOAD, REPO, 'model.safetensors', `${home}/cache`],
      { HF_ENDPOINT: h.url, HF_HOME: home, HF_TOKEN: BOB },
      180_000,
    );
    expect(py.code, py.stderr.slice(-2000)).toBe(0);
    expect(py.stdout.trim().split('\n').pop()).toBe(sha(v1));
    // hf_xet read the uploaded xorbs (not the CDN).
    expect((h.xet?.cas.log.filter((r) => r.url.startsWith('/xorbs/')).length ?? 0) - before).toBeGreaterThan(0);
  });

  test('a new revision with 256 KiB replaced sends only the xorb of its new chunks', { timeout: 120_000 }, async () => {
    const h = await start();
    await push(h, v1);
    const up = uploadsOf(h);
    const first = up.received();
    const v2 = Buffer.from(v1);
    v2.set(noiseContent('xet-upload-patch', 256 << 10).read(0, 256 << 10), 3 << 20);
    up.log.length = 0;
    await push(h, v2);
    const second = up.received();
    // The client asked the CAS which chunks it has (its first chunk is known), then sent only new ones.
    expect(up.log.some((r) => r.kind === 'dedup' && r.status === 200)).toBe(true);
    expect(second.xorbs).toBe(1);
    expect(second.bytes).toBeLessThan(first.bytes * 0.1);
    expect(second.bytes).toBeGreaterThan(256 << 10);
    const resolved = await fetch(`${h.url}/${REPO}/resolve/main/model.safetensors`, { headers: { Authorization: `Bearer ${BOB}` } });
    expect(sha(Buffer.from(await resolved.arrayBuffer()))).toBe(sha(v2));
  });

  test('with Xet uploads turned off the client falls back to the upload host', { timeout: 60_000 }, async () => {
    const h = await start(false);
    await push(h, v1);
    expect(uploadsOf(h).log).toEqual([]);
    expect(h.storedObjects().has(sha(v1))).toBe(true);
  });

  test('refuses a xorb under the wrong hash, a shard naming unknown xorbs, and a missing or read token', async () => {
    const h = await start();
    const cas = h.xet?.cas.url as string;
    const tok = await fetch(`${h.url}/api/models/${REPO}/xet-write-token/main`, { headers: { Authorization: `Bearer ${BOB}` } });
    expect(tok.status).toBe(200);
    const { accessToken, casUrl } = (await tok.json()) as { accessToken: string; casUrl: string };
    expect(casUrl).toBe(cas);
    expect((await fetch(`${h.url}/api/models/${REPO}/xet-write-token/main`)).status).toBe(401);
    const auth = { Authorization: `Bearer ${accessToken}` };
    // One stored (uncompressed) chunk of 1000 bytes.
    const data = Buffer.from(noiseContent('one-chunk', 1000).read(0, 1000));
    const header = Buffer.from([0, 1000 & 0xff, 1000 >> 8, 0, 0, 1000 & 0xff, 1000 >> 8, 0]);
    const wrong = 'ab'.repeat(32);
    const bad = await fetch(`${cas}/v1/xorbs/default/${wrong}`, { method: 'POST', headers: auth, body: new Uint8Array(Buffer.concat([header, data])) });
    expect(bad.status).toBe(400);
    expect(await bad.text()).toContain('hash to');
    const read = h.xet?.cas.issueToken().accessToken as string;
    expect(
      (await fetch(`${cas}/v1/xorbs/default/${wrong}`, { method: 'POST', headers: { Authorization: `Bearer ${read}` }, body: new Uint8Array(data) })).status,
    ).toBe(401);
    const garbage = await fetch(`${cas}/v1/shards`, { method: 'POST', headers: auth, body: new Uint8Array(300) });
    expect(garbage.status).toBe(400);
    const stranger = dedupShard(
      [{ hash: wrong, unpacked: 1000, packed: 1008, chunks: [{ hash: wrong, offset: 0, length: 1000 }] }],
      new Uint8Array(32),
      0,
      (x) => x,
    );
    const unknown = await fetch(`${cas}/v1/shards`, { method: 'POST', headers: auth, body: new Uint8Array(stranger) });
    expect(unknown.status).toBe(400);
    expect(await unknown.text()).toContain('never uploaded');
    expect(uploadsOf(h).bySha256.size).toBe(0);
  });
});
