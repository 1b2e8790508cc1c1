import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { ApiError } from '../../src-main/contract/errors';
import { testCore } from '../helpers/core';
import { tmpDir } from '../helpers/tmp';
import { sampleGguf } from '../fixtures/gguf-writer';

describe('core settings', () => {
  it('shows where the cache comes from and lets a setting override it', async () => {
    const core = testCore({ env: { HF_HOME: '/srv/hf', HF_ENDPOINT: 'http://127.0.0.1:1' } });
    expect(core.settings.view().hubCache).toMatchObject({ path: '/srv/hf/hub', source: 'HF_HOME', exists: false });
    const target = tmpDir();
    const events: unknown[] = [];
    core.events.on((name, payload) => events.push([name, payload]));
    const view = await core.handlers['settings.update']({ hubCacheDir: target });
    expect(view.hubCache).toMatchObject({ path: target, source: 'setting', exists: true, withoutSetting: { source: 'HF_HOME' } });
    expect(events).toContainEqual(['settings.changed', view]);
    const reset = await core.handlers['settings.update']({ hubCacheDir: null });
    expect(reset.hubCache.source).toBe('HF_HOME');
  });

  it('refuses a relative path, a file, and an unwritable folder, changing nothing', async () => {
    const core = testCore();
    const file = path.join(tmpDir(), 'a-file');
    fs.writeFileSync(file, 'x');
    await expect(core.handlers['settings.update']({ hubCacheDir: 'models/hf' })).rejects.toMatchObject({ code: 'INVALID_PATH', message: /full path/ });
    await expect(core.handlers['settings.update']({ hubCacheDir: file })).rejects.toMatchObject({ code: 'INVALID_PATH', message: /is a file/ });
    if (process.getuid?.() !== 0) {
      const ro = tmpDir();
      fs.chmodSync(ro, 0o500);
      await expect(core.handlers['settings.update']({ hubCacheDir: ro })).rejects.toMatchObject({ code: 'INVALID_PATH' });
    }
    expect(core.settings.get().hubCacheDir).toBeNull();
  });

  it('expands ~ in a typed cache path', async () => {
    const core = testCore();
    const view = await core.handlers['settings.update']({ hubCacheDir: '~/my-hf' });
    expect(view.hubCache.path).toMatch(/my-hf$/);
    expect(path.isAbsolute(view.hubCache.path)).toBe(true);
  });

  it('reports offline mode and its source; HF_HUB_OFFLINE cannot be switched off from the UI', async () => {
    const forced = testCore({ env: { HF_HUB_OFFLINE: '1' } });
    expect(forced.settings.view().offline).toEqual({ enabled: true, source: 'HF_HUB_OFFLINE' });
    await expect(forced.handlers['settings.update']({ offline: false })).rejects.toBeInstanceOf(ApiError);
    const normal = testCore();
    expect(normal.settings.view().offline).toEqual({ enabled: false, source: 'default' });
    expect((await normal.handlers['settings.update']({ offline: true })).offline).toEqual({ enabled: true, source: 'setting' });
  });

  it('reports versions and what this transport can do', async () => {
    const info = await testCore().handlers['app.info']({});
    expect(info.versions.node).toBe(process.versions.node);
    expect(info.versions.app).toMatch(/^\d+\.\d+\.\d+/);
    expect(info.versions.nodeLlamaCpp).toMatch(/^\d+\.\d+\.\d+/);
    expect(info.capabilities).toEqual({ openInFileManager: false, openExternal: false, clipboard: false, pickFolders: false });
  });

  it('opens only named places, and only on desktop', async () => {
    const serve = testCore();
    await expect(serve.handlers['places.open']({ place: 'dataDir' })).rejects.toMatchObject({ code: 'NOT_AVAILABLE' });
    const openPath = vi.fn(async () => {});
    const showItemInFolder = vi.fn();
    const desktop = testCore({
      transport: 'electron',
      desktop: {
        openPath,
        showItemInFolder,
        openExternal: vi.fn(),
        writeClipboard: vi.fn(),
        pickModelFiles: vi.fn(async () => []),
        pickFolders: vi.fn(async () => ['/home/me/out/lora']),
      },
    });
    // Folders are chosen in the native dialog on desktop only.
    await expect(serve.handlers['places.pickFolders']({})).rejects.toMatchObject({ code: 'NOT_AVAILABLE' });
    expect(await desktop.handlers['places.pickFolders']({})).toEqual({ paths: ['/home/me/out/lora'] });
    await desktop.handlers['places.open']({ place: 'dataDir' });
    expect(openPath).toHaveBeenCalledWith(desktop.settings.view().dataDir);
    await expect(desktop.handlers['places.open']({ place: 'hubCache' })).rejects.toMatchObject({ code: 'INVALID_PATH' });
    // A Library item's file is shown selected; a missing one is refused with its path.
    const file = path.join(tmpDir(), 'shown.gguf');
    fs.writeFileSync(file, sampleGguf());
    const { added } = await desktop.library.add([file]);
    const key = added[0]?.key as string;
    await desktop.handlers['places.open']({ place: 'libraryItem', key });
    expect(showItemInFolder).toHaveBeenCalledWith(fs.realpathSync(file));
    fs.rmSync(file);
    await expect(desktop.handlers['places.open']({ place: 'libraryItem', key })).rejects.toMatchObject({ code: 'INVALID_PATH' });
    await expect(serve.handlers['places.open']({ place: 'libraryItem', key })).rejects.toMatchObject({ code: 'NOT_AVAILABLE' });
  });
});
