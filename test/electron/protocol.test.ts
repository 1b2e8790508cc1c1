import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { APP_URL, appSchemePrivileges, createAppProtocolHandler, isAppUrl } from '../../src-main/electron/protocol';
import { tmpDir } from '../helpers/tmp';

function renderer() {
  const root = tmpDir();
  const ui = path.join(root, 'renderer');
  fs.mkdirSync(path.join(ui, 'assets'), { recursive: true });
  fs.writeFileSync(path.join(ui, 'index.html'), '<!doctype html><title>Hubcap</title>');
  fs.writeFileSync(path.join(ui, 'assets', 'a.js'), 'export {}');
  fs.writeFileSync(path.join(root, 'secret.txt'), 'secret');
  return ui;
}

describe('app:// protocol', () => {
  it('is registered as a secure standard scheme (not file://)', () => {
    const [scheme] = appSchemePrivileges();
    expect(scheme?.scheme).toBe('app');
    expect(scheme?.privileges).toMatchObject({ standard: true, secure: true });
    expect(APP_URL).toBe('app://hubcap/index.html');
  });

  it('serves the UI with a strict CSP and the right types', async () => {
    const handle = createAppProtocolHandler(renderer());
    const index = await handle(new Request('app://hubcap/index.html'));
    expect(index.status).toBe(200);
    expect(index.headers.get('content-type')).toMatch(/text\/html/);
    const csp = index.headers.get('content-security-policy') ?? '';
    expect(csp).toContain("default-src 'none'");
    expect(csp).toContain("script-src 'self'");
    expect(csp).not.toMatch(/script-src[^;]*unsafe-(inline|eval)/);
    expect(csp).toContain("frame-ancestors 'none'");
    expect((await handle(new Request('app://hubcap/assets/a.js'))).headers.get('content-type')).toMatch(/javascript/);
  });

  it('never leaves the renderer folder and ignores other hosts', async () => {
    const handle = createAppProtocolHandler(renderer());
    for (const url of ['app://hubcap/..%2fsecret.txt', 'app://hubcap/%2e%2e/secret.txt', 'app://hubcap/assets/..%5c..%5csecret.txt']) {
      const r = await handle(new Request(url));
      expect(r.status).not.toBe(200);
      expect(await r.text()).not.toContain('secret');
    }
    expect((await handle(new Request('app://elsewhere/index.html'))).status).toBe(404);
    expect((await handle(new Request('app://hubcap/missing.js'))).status).toBe(404);
  });

  it('recognises only its own origin', () => {
    expect(isAppUrl('app://hubcap/index.html#/settings')).toBe(true);
    expect(isAppUrl('app://other/index.html')).toBe(false);
    expect(isAppUrl('file:///app/index.html')).toBe(false);
    expect(isAppUrl('https://huggingface.co')).toBe(false);
    expect(isAppUrl('not a url')).toBe(false);
  });
});
