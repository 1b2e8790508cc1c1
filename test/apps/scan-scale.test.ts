/** 10,000 model files in other apps' folders: found, each header read, and the core's thread stays free meanwhile. */
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { appLocations } from '../../src-main/apps/locations';
import { scanApps } from '../../src-main/apps/scan';
import { tmpDir } from '../helpers/tmp';

describe('scanning a big tree', () => {
  it('reads 10,000 files with progress while timers keep running', async () => {
    const home = tmpDir();
    const root = path.join(home, '.lmstudio', 'models');
    for (let p = 0; p < 100; p++) {
      const dir = path.join(root, `pub${p}`, `repo${p}-GGUF`);
      fs.mkdirSync(dir, { recursive: true });
      for (let f = 0; f < 100; f++) fs.writeFileSync(path.join(dir, `m${f}.gguf`), 'GGUF but not really');
    }
    let progress = 0;
    let maxGap = 0;
    let last = performance.now();
    const ticker = setInterval(() => {
      const now = performance.now();
      maxGap = Math.max(maxGap, now - last);
      last = now;
    }, 10);
    try {
      const { models } = await scanApps(appLocations({ platform: 'linux', home, env: {} }), { onProgress: () => progress++ });
      expect(models).toHaveLength(10_000);
      expect(models.every((m) => m.problem !== null)).toBe(true);
    } finally {
      clearInterval(ticker);
    }
    expect(progress).toBeGreaterThan(10_000);
    console.log(`[scan-scale] longest pause of the event loop during the scan: ${maxGap.toFixed(0)} ms`);
    // A synchronous crawl would hold the thread for the whole scan (seconds); async I/O yields between files.
    expect(maxGap).toBeLessThan(750);
  }, 120_000);
});
