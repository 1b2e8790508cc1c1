import { describe, expect, it } from 'vitest';
import { buildWindowOptions, DEFAULT_SIZE } from '../../src-main/electron/window';

describe('main window options', () => {
  const opts = buildWindowOptions({ preloadPath: '/app/out/preload/preload.cjs', bounds: null, darkBackground: false });
  const wp = opts.webPreferences ?? {};

  it('isolates and sandboxes the renderer', () => {
    expect(wp.contextIsolation).toBe(true);
    expect(wp.sandbox).toBe(true);
    expect(wp.nodeIntegration).toBe(false);
    expect(wp.nodeIntegrationInWorker).toBe(false);
    expect(wp.nodeIntegrationInSubFrames).toBe(false);
  });

  it('keeps web security on and webviews off', () => {
    expect(wp.webSecurity).toBe(true);
    expect(wp.allowRunningInsecureContent).toBe(false);
    expect(wp.webviewTag).toBe(false);
    expect(wp.experimentalFeatures).toBe(false);
    expect(wp.navigateOnDragDrop).toBe(false);
  });

  it('uses the bundled CommonJS preload', () => {
    expect(wp.preload).toBe('/app/out/preload/preload.cjs');
  });

  it('restores remembered bounds, else a default size', () => {
    expect(opts).toMatchObject(DEFAULT_SIZE);
    const restored = buildWindowOptions({ preloadPath: 'p', bounds: { x: 10, y: 20, width: 1000, height: 700, maximized: false }, darkBackground: true });
    expect(restored).toMatchObject({ x: 10, y: 20, width: 1000, height: 700, backgroundColor: '#0b0d12' });
  });
});
