/** places.cacheFreeSpace: the free bytes of the cache's drive, even before the cache folder exists. */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { desktopHandlers } from '../../src-main/desktop/handlers';

function handlers(hubCache: string) {
  return desktopHandlers({
    transport: 'serve',
    platform: process.platform,
    folders: { hubCache: () => hubCache, dataDir: () => os.tmpdir(), cacheRepo: () => hubCache },
    itemFile: async () => ({ path: '', missing: true }),
  });
}

describe('places.cacheFreeSpace', () => {
  it('answers the free bytes of the drive the cache is on, as statfs says', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hubcap-free-'));
    try {
      const s = fs.statfsSync(dir);
      const { path: where, freeBytes } = await handlers(dir)['places.cacheFreeSpace']({});
      expect(where).toBe(dir);
      // Other programs write meanwhile: the same drive, within a margin.
      expect(Math.abs((freeBytes ?? 0) - s.bavail * s.bsize)).toBeLessThan(256 * 1024 * 1024);
      // A cache folder not made yet: its nearest existing parent's drive.
      expect((await handlers(path.join(dir, 'not', 'yet'))['places.cacheFreeSpace']({})).freeBytes).toBeGreaterThan(0);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
