import { describe, expect, it, vi } from 'vitest';
import { dispatch } from '../../src-main/rpc/dispatch';
import { ApiError } from '../../src-main/contract/errors';
import type { Handlers } from '../../src-main/contract/handlers';
import type { DesktopActions } from '../../src-main/desktop/handlers';
import { desktopSlice } from '../../src-main/desktop/slice';
import { settingsHandlers } from '../../src-main/settings/handlers';
import { built, handlerTable, libraryAt, place, settingsAt } from '../helpers/fakes';

/** Real handlers to dispatch to, no Core: the settings' and the desktop's (the two a schema guards in these tests). */
function realHandlers(opts: { desktop?: DesktopActions } = {}) {
  const p = place();
  const settings = settingsAt(p);
  const { cache, library } = libraryAt(p, settings);
  const desktop = built(desktopSlice, { options: { transport: 'serve', platform: 'linux', dataDir: p.dataDir, desktop: opts.desktop }, cache, library });
  return { handlers: handlerTable(settingsHandlers(settings), desktop.handlers) };
}

describe('dispatch: validate before any handler runs, structured errors out', () => {
  it('refuses an unknown method', async () => {
    const core = realHandlers();
    const r = await dispatch(core.handlers, 'fs.readFile', { path: '/etc/passwd' });
    expect(r).toEqual({ ok: false, error: { code: 'UNKNOWN_METHOD', message: expect.stringContaining('fs.readFile') } });
  });

  it('does not treat inherited object properties as methods', async () => {
    const core = realHandlers();
    for (const m of ['constructor', '__proto__', 'toString', 'hasOwnProperty']) {
      expect((await dispatch(core.handlers, m, {})).ok).toBe(false);
    }
  });

  it('returns VALIDATION_FAILED with every issue and never calls the handler', async () => {
    const core = realHandlers();
    const spy = vi.spyOn(core.handlers, 'settings.update');
    const r = await dispatch(core.handlers, 'settings.update', { hubCacheDir: 42, theme: 'neon' });
    expect(spy).not.toHaveBeenCalled();
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.error.code).toBe('VALIDATION_FAILED');
    expect(r.error.message).toMatch(/^Invalid input for settings\.update \(hubCacheDir\)/);
    const issues = (r.error.details as { issues: { path: string }[] }).issues.map((i) => i.path);
    expect(issues).toEqual(expect.arrayContaining(['hubCacheDir', 'theme']));
  });

  it('rejects unknown keys (strict schemas) and empty patches', async () => {
    const core = realHandlers();
    const extra = await dispatch(core.handlers, 'settings.get', { sneaky: true });
    expect(extra.ok ? null : extra.error.code).toBe('VALIDATION_FAILED');
    const empty = await dispatch(core.handlers, 'settings.update', {});
    expect(empty.ok ? null : empty.error.message).toMatch(/Nothing to change/);
  });

  it('rejects non-http links before they reach the desktop', async () => {
    const openExternal = vi.fn(async () => {});
    const core = realHandlers({
      desktop: {
        openExternal,
        openPath: vi.fn(),
        showItemInFolder: vi.fn(),
        writeClipboard: vi.fn(),
        pickModelFiles: vi.fn(async () => []),
        pickFolders: vi.fn(async () => []),
      },
    });
    for (const url of ['file:///etc/passwd', 'javascript:alert(1)', 'smb://host/share']) {
      const r = await dispatch(core.handlers, 'links.openExternal', { url });
      expect(r.ok ? null : r.error.code).toBe('VALIDATION_FAILED');
    }
    expect(openExternal).not.toHaveBeenCalled();
    expect((await dispatch(core.handlers, 'links.openExternal', { url: 'https://huggingface.co/gpt2' })).ok).toBe(true);
    expect(openExternal).toHaveBeenCalledWith('https://huggingface.co/gpt2');
  });

  it('passes ApiErrors through and hides internal errors behind a generic message', async () => {
    const handlers = {
      'app.info': async () => {
        throw new ApiError('NOT_AVAILABLE', 'No GPU here.', { gpu: null });
      },
      'settings.get': async () => {
        throw new Error('secret internals /home/ada/token');
      },
    } as unknown as Handlers;
    expect(await dispatch(handlers, 'app.info', {})).toEqual({
      ok: false,
      error: { code: 'NOT_AVAILABLE', message: 'No GPU here.', details: { gpu: null } },
    });
    const spy = vi.spyOn(console, 'error').mockImplementation(() => {});
    const r = await dispatch(handlers, 'settings.get', {});
    spy.mockRestore();
    expect(r).toEqual({ ok: false, error: { code: 'INTERNAL', message: expect.not.stringContaining('token') } });
  });
});
