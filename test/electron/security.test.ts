import { describe, expect, it, vi } from 'vitest';
import type { Session, WebContents } from 'electron';
import { denyAllPermissions, hardenWebContents } from '../../src-main/electron/security';
import { FakeSession, FakeWebContents, navEvent } from './stand-in';

function hardened() {
  const contents = new FakeWebContents();
  const openExternal = vi.fn();
  hardenWebContents(contents as unknown as WebContents, openExternal);
  return { contents, openExternal };
}

describe('web contents hardening', () => {
  it('blocks navigation away from the app and sends http(s) links to the system browser', () => {
    const { contents, openExternal } = hardened();
    const e = navEvent();
    contents.emit('will-navigate', e, 'https://huggingface.co/gpt2');
    expect(e.defaultPrevented).toBe(true);
    expect(openExternal).toHaveBeenCalledWith('https://huggingface.co/gpt2');
  });

  it('drops non-http navigation without opening anything', () => {
    const { contents, openExternal } = hardened();
    for (const url of ['file:///etc/passwd', 'javascript:alert(1)', 'smb://host/x', 'ms-settings:']) {
      const e = navEvent();
      contents.emit('will-navigate', e, url);
      expect(e.defaultPrevented).toBe(true);
    }
    expect(openExternal).not.toHaveBeenCalled();
  });

  it('allows navigation inside the app', () => {
    const { contents } = hardened();
    const e = navEvent();
    contents.emit('will-navigate', e, 'app://hubcap/index.html#/settings');
    expect(e.defaultPrevented).toBe(false);
  });

  it('blocks redirects away from the app', () => {
    const { contents } = hardened();
    const e = navEvent();
    contents.emit('will-redirect', e, 'https://evil.example');
    expect(e.defaultPrevented).toBe(true);
  });

  it('denies every window.open, opening http(s) in the system browser', () => {
    const { contents, openExternal } = hardened();
    expect(contents.windowOpenHandler?.({ url: 'https://huggingface.co' })).toEqual({ action: 'deny' });
    expect(contents.windowOpenHandler?.({ url: 'file:///etc/passwd' })).toEqual({ action: 'deny' });
    expect(contents.windowOpenHandler?.({ url: 'app://hubcap/index.html' })).toEqual({ action: 'deny' });
    expect(openExternal).toHaveBeenCalledTimes(1);
  });

  it('refuses to attach webviews', () => {
    const { contents } = hardened();
    const e = navEvent();
    contents.emit('will-attach-webview', e, {}, {});
    expect(e.defaultPrevented).toBe(true);
  });
});

describe('permissions', () => {
  it('denies every permission request and check', () => {
    const session = new FakeSession();
    denyAllPermissions(session as unknown as Session);
    for (const permission of ['media', 'geolocation', 'notifications', 'clipboard-read', 'clipboard-sanitized-write', 'openExternal']) {
      const cb = vi.fn();
      session.permissionRequest?.({}, permission, cb);
      expect(cb).toHaveBeenCalledWith(false);
      expect(session.permissionCheck?.({}, permission)).toBe(false);
    }
    expect(session.deviceCheck?.({})).toBe(false);
  });
});
