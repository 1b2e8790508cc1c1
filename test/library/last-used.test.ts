/**
 * "Last used" of a cached model: never, right after its download (the download's own reads do not
 * count); the moment Hubcap loads it; and when another program read it well after it was written.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { Core } from '../../src-main/core/core';
import { testCore } from '../helpers/core';
import { A, writePythonRevision } from '../helpers/python-cache';
import { tmpDir } from '../helpers/tmp';
import { cachedLlamaModel } from '../fixtures/llama-model';

let core: Core | null = null;
afterEach(async () => {
  await core?.close();
  core = null;
});

describe('when a cached model was last used', () => {
  it('is never right after download, then the time Hubcap loaded it, and survives a restart', async () => {
    const cache = tmpDir();
    const dataDir = tmpDir();
    writePythonRevision(cache, 'models--org--tiny', A, [{ path: 'tiny.gguf', data: fs.readFileSync(cachedLlamaModel()), lfs: true }], { refs: ['main'] });
    core = testCore({ dataDir, env: { HF_HUB_CACHE: cache, HF_HUB_OFFLINE: '1' } });
    const item = (await core.library.items()).find((i) => i.repo === 'org/tiny');
    expect(item?.lastUsed).toBeNull();
    core.library.markUsed(await core.library.runnable(item?.key as string));
    const used = (await core.library.items()).find((i) => i.repo === 'org/tiny')?.lastUsed;
    expect(used).not.toBeNull();
    await core.close();
    core = testCore({ dataDir, env: { HF_HUB_CACHE: cache, HF_HUB_OFFLINE: '1' } });
    expect((await core.library.items()).find((i) => i.repo === 'org/tiny')?.lastUsed).toBe(used);
  });

  it('counts a read by another program well after the download', async () => {
    const cache = tmpDir();
    writePythonRevision(cache, 'models--org--tiny', A, [{ path: 'tiny.gguf', data: fs.readFileSync(cachedLlamaModel()), lfs: true }], { refs: ['main'] });
    const blobs = path.join(cache, 'models--org--tiny', 'blobs');
    const blob = path.join(blobs, fs.readdirSync(blobs)[0] as string);
    const written = fs.statSync(blob).mtime;
    // Whole seconds: set and read back exactly (a millisecond time can come back a float away).
    const readAt = new Date(Math.ceil(written.getTime() / 1000) * 1000 + 10 * 60_000);
    fs.utimesSync(blob, readAt, written);
    core = testCore({ dataDir: tmpDir(), env: { HF_HUB_CACHE: cache, HF_HUB_OFFLINE: '1' } });
    expect((await core.library.items()).find((i) => i.repo === 'org/tiny')?.lastUsed).toBe(readAt.toISOString());
  });
});
