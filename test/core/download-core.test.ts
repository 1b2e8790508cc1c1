/**
 * `hubcap download`'s core (#25): the download engine and what it stands on, wired as the whole
 * core wires them, without the other capabilities. It must download exactly as the whole core
 * does, validate with the same schemas, and fail clearly if a capability it leaves out is reached.
 */
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { callIn } from '../../src-main/cli/context';
import { downloadRequests, isTerminal, type DownloadJob } from '../../src-main/contract/downloads';
import { createDownloadCore, DOWNLOAD_CORE_ABSENT, DOWNLOAD_SLICES } from '../../src-main/core/download-core';
import { SLICES } from '../../src-main/core/slices';
import { dispatch } from '../../src-main/rpc/dispatch';
import { confBackend } from '../../src-main/settings/conf-backend';
import { fakeHub } from '../helpers/hub';
import { testCore } from '../helpers/core';
import { memoryKeychain } from '../helpers/keychain';
import { tmpDir } from '../helpers/tmp';

const ROOT_NAMES = ['options', 'hf', 'events', 'keychain'];

/** A download core over a fresh home whose cache is `<home>/hub`. */
function coreIn(home: string, endpoint: string, transport: 'cli' | 'serve' = 'cli') {
  return createDownloadCore({
    transport,
    env: { HF_ENDPOINT: endpoint },
    homeDir: home,
    platform: 'linux',
    dataDir: path.join(home, 'data'),
    settingsBackend: confBackend,
    probeHubOnStart: false,
    keychain: memoryKeychain(),
    ephemeralQueue: true,
    cacheDirOverride: path.join(home, 'hub'),
  });
}

describe('the download core', () => {
  it('is the whole core’s first slices, in the same order, and each of their needs is the root, one of them, or named absent', () => {
    const names = DOWNLOAD_SLICES.map((s) => s.name);
    expect(DOWNLOAD_SLICES).toEqual(SLICES.slice(0, DOWNLOAD_SLICES.length));
    expect(names).toContain('downloads');
    for (const slice of DOWNLOAD_SLICES)
      for (const need of slice.needs) expect([...ROOT_NAMES, ...names, ...DOWNLOAD_CORE_ABSENT], `${slice.name} needs ${need}`).toContain(need);
    // What it leaves out is really left out (not built under another name).
    for (const absent of DOWNLOAD_CORE_ABSENT) expect(names).not.toContain(absent);
  });

  it('downloads into the cache through downloads.start, validated as the whole contract does, and names what it left out when reached', async () => {
    const hub = await fakeHub();
    const home = tmpDir('hubcap-home-');
    const cacheDir = path.join(home, 'hub');
    const core = coreIn(home, hub.url);
    try {
      const finished = new Promise<DownloadJob>((resolve) =>
        core.events.on((name, payload) => {
          if (name === 'downloads.changed' && isTerminal((payload as DownloadJob).state)) resolve(payload as DownloadJob);
        }),
      );
      const job = await callIn(downloadRequests, core, 'downloads.start', { repoType: 'model', repo: 'acme/tiny-llm', revision: 'main', files: ['README.md'] });
      const done = await finished;
      expect(done.id).toBe(job.id);
      expect(done.state, done.error?.message).toBe('done');
      const snapshot = path.join(cacheDir, 'models--acme--tiny-llm', 'snapshots', done.commit as string, 'README.md');
      expect(fs.readFileSync(snapshot, 'utf8')).toBe('# tiny-llm\n\nA tiny test model.\n');

      // The same refusal, word for word, as the app's dispatcher over the whole contract gives.
      const bad = { repoType: 'model', repo: 'acme/tiny-llm', revision: 'main', files: 'README.md' } as never;
      const whole = await dispatch(testCore().handlers, 'downloads.start', bad);
      expect(whole.ok).toBe(false);
      await expect(callIn(downloadRequests, core, 'downloads.start', bad)).rejects.toMatchObject({
        code: 'VALIDATION_FAILED',
        message: whole.ok ? '' : whole.error.message,
      });

      // The cache's delete preview counts exports and the loaded model: neither is composed here.
      // (Through the dispatcher it is an INTERNAL error; the handler's own failure names them.)
      await expect(core.handlers['cache.planDelete']({ targets: [{ kind: 'repo', repo: 'model:acme/tiny-llm' }] } as never)).rejects.toThrow(
        /The cache slice used (exports|inference), which this core does not compose/,
      );
    } finally {
      await core.close();
    }
  }, 60_000);

  it('does not scan the cache in a one-shot command (the Cache page is warmed only where it can open)', async () => {
    const scansOf = async (transport: 'cli' | 'serve') => {
      const core = coreIn(tmpDir('hubcap-home-'), 'http://127.0.0.1:9', transport);
      const scan = vi.spyOn(core.cache, 'scan');
      // The warm-up's timer is 50 ms.
      await new Promise((r) => setTimeout(r, 400));
      await core.close();
      return scan.mock.calls.length;
    };
    expect(await scansOf('cli')).toBe(0);
    expect(await scansOf('serve')).toBe(1);
  });
});
