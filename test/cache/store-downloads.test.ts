/**
 * #24.3 end to end: Hubcap's download engine and huggingface_hub 2.0 (with hf_xet, against the fake
 * Hub's CAS on another host) writing one cache with the shared store. Hubcap links a payload Python
 * downloaded without fetching a byte, publishes its own Xet downloads where Python then finds them,
 * and each side's deletions leave the other's files whole.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { scanCache } from '../../src-main/cache/scan';
import { download, hubHttp, manager } from '../helpers/hub';
import { runHfPython } from '../helpers/hf-python';
import { runCli } from '../helpers/cli';
import { tmpDir } from '../helpers/tmp';
import { baseXetContent, mixedXetContent, XET_FILE, xetRepo } from '../fakehub/xet/fixtures';
import { startFakeHub, type FakeHub } from '../fakehub/server';
import { hfCli, pyLoad, sha256 } from './hf2-store';

let hub: FakeHub | null = null;
afterEach(async () => {
  await hub?.close();
  hub = null;
});

const PY_DOWNLOAD = 'import sys\nfrom huggingface_hub import hf_hub_download\nprint(hf_hub_download(sys.argv[1], sys.argv[2], cache_dir=sys.argv[3]))';

async function pythonDownload(h: FakeHub, cache: string, repo: string): Promise<void> {
  const home = tmpDir('hubcap-py-home-');
  const r = await runHfPython(['-c', PY_DOWNLOAD, repo, XET_FILE, cache], { HF_ENDPOINT: h.url, HF_HOME: home }, 120_000);
  if (r.code !== 0) throw new Error(`python failed (${r.code}): ${r.stderr.slice(-2000)}`);
}

/** Xorb range requests the CAS has answered so far. */
const xorbBytes = (h: FakeHub) => (h.xet?.cas.log ?? []).filter((r) => r.url.startsWith('/xorbs/')).length;

describe('Hubcap and huggingface_hub 2.0 sharing the store', () => {
  it('links what Python stored, publishes what it downloads, and neither side’s rm hurts the other', async () => {
    const mixed = mixedXetContent();
    const base = baseXetContent();
    const mixedSha = sha256(mixed.read(0, mixed.size));
    const baseSha = sha256(base.read(0, base.size));
    hub = await startFakeHub({
      repos: [xetRepo('acme/py', mixed), xetRepo('acme/ours', mixed), xetRepo('acme/new', base), xetRepo('acme/py2', base)],
      storageHost: '127.0.0.2',
      xet: { maxXorbBytes: 1 << 20 },
    });
    const cache = path.join(tmpDir(), 'hub');
    // Python 2.0 downloads first: its first Xet download makes the store.
    await pythonDownload(hub, cache, 'acme/py');
    expect(scanCache(cache).store.state).toBe('v1');

    const { m } = manager(hubHttp(hub), { cacheDir: () => cache, sharedStore: () => ({ disabled: false, create: false }) });
    const before = xorbBytes(hub);
    expect(before).toBeGreaterThan(0); // Python's download went through the CAS
    const job = await download(m, { repo: 'acme/ours', files: [XET_FILE] });
    expect(job.state).toBe('done');
    expect(xorbBytes(hub)).toBe(before); // not a byte fetched: linked from the store
    const ours = path.join(cache, 'models--acme--ours', 'blobs', mixedSha);
    expect(fs.lstatSync(ours).isSymbolicLink()).toBe(true);

    // Python deletes its repo: ours stays whole (our link is in the manifest).
    expect((await hfCli(cache, ['cache', 'rm', 'model/acme/py', '-y'])).code).toBe(0);
    expect(await pyLoad(cache, 'acme/ours', XET_FILE)).toBe(mixedSha);

    // Hubcap downloads a file the store lacks: it publishes it, and Python then reuses it.
    const job2 = await download(m, { repo: 'acme/new', files: [XET_FILE] });
    expect(job2.state).toBe('done');
    expect(fs.lstatSync(path.join(cache, 'models--acme--new', 'blobs', baseSha)).isSymbolicLink()).toBe(true);
    const beforePy = xorbBytes(hub);
    await pythonDownload(hub, cache, 'acme/py2');
    expect(xorbBytes(hub)).toBe(beforePy);
    const rm = await runCli(['cache', 'rm', 'acme/new'], { HF_HUB_CACHE: cache, HF_HUB_OFFLINE: '1' });
    expect(rm.code).toBe(0);
    expect(await pyLoad(cache, 'acme/py2', XET_FILE)).toBe(baseSha);
    expect(scanCache(cache).warnings).toEqual([]);
  }, 180_000);
});
