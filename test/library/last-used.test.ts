/**
 * "Last used" of a cached model: never, right after its download (the download's own reads do not
 * count); the moment Hubcap loads it; and when another program read it well after it was written.
 */
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { libraryAt, place, settingsAt } from '../helpers/fakes';
import { A, writePythonRevision } from '../helpers/python-cache';
import { tmpDir } from '../helpers/tmp';
import { cachedLlamaModel } from '../fixtures/llama-model';

/** The Library over an offline cache folder, on its own (no Core). */
function libraryOn(cache: string, dataDir: string) {
  const p = place({ HF_HUB_CACHE: cache, HF_HUB_OFFLINE: '1' });
  return libraryAt({ ...p, dataDir }, settingsAt(p));
}

describe('when a cached model was last used', () => {
  it('is never right after download, then the time Hubcap loaded it, and survives a restart', async () => {
    const cache = tmpDir();
    const dataDir = tmpDir();
    writePythonRevision(cache, 'models--org--tiny', A, [{ path: 'tiny.gguf', data: fs.readFileSync(cachedLlamaModel()), lfs: true }], { refs: ['main'] });
    let at = libraryOn(cache, dataDir);
    const item = (await at.library.items()).find((i) => i.repo === 'org/tiny');
    expect(item?.lastUsed).toBeNull();
    at.library.markUsed(await at.library.runnable(item?.key as string));
    const used = (await at.library.items()).find((i) => i.repo === 'org/tiny')?.lastUsed;
    expect(used).not.toBeNull();
    at = libraryOn(cache, dataDir);
    expect((await at.library.items()).find((i) => i.repo === 'org/tiny')?.lastUsed).toBe(used);
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
    const at = libraryOn(cache, tmpDir());
    expect((await at.library.items()).find((i) => i.repo === 'org/tiny')?.lastUsed).toBe(readAt.toISOString());
  });
});
