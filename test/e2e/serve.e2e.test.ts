/**
 * The real app end to end: `hubcap serve` as a child process, the built UI in Debian's Chromium.
 * Screenshots of each page land in test-results/e2e/.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { PAGES } from '../../src-renderer/app/pages';
import { launchChromium, newContext, SHOTS } from './chromium';
import NodeWebSocket from 'ws';
import { startServe, startTinyHub, type ServeProcess } from './serve-process';

let browser: Browser;
let hub: Awaited<ReturnType<typeof startTinyHub>>;
const cleanup: (() => Promise<unknown>)[] = [];

beforeAll(async () => {
  browser = await launchChromium();
  hub = await startTinyHub();
});
afterAll(async () => {
  await browser?.close();
  await hub?.close();
});
afterEach(async () => {
  for (const fn of cleanup.splice(0).reverse()) await fn();
});

async function serve(opts: Parameters<typeof startServe>[0] = {}): Promise<ServeProcess> {
  const s = await startServe({ ...opts, env: { HF_ENDPOINT: hub.url, ...opts.env } });
  cleanup.push(() => s.stop());
  return s;
}

async function context(): Promise<BrowserContext> {
  const ctx = await newContext(browser, { viewport: { width: 1280, height: 860 } });
  cleanup.push(() => ctx.close());
  return ctx;
}

async function openApp(s: ServeProcess): Promise<Page> {
  const page = await (await context()).newPage();
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  cleanup.push(async () => expect(errors).toEqual([]));
  await page.goto(s.url);
  // The key is traded for a cookie and a session; neither stays in the address bar.
  expect(page.url()).not.toContain('key=');
  await page.getByRole('navigation', { name: 'Main' }).waitFor();
  expect(page.url()).not.toContain('session=');
  return page;
}

describe('hubcap serve in Chromium', () => {
  it('clicks through every sidebar page', async () => {
    const s = await serve();
    const page = await openApp(s);
    await expect.poll(() => page.getByTestId('status-hub').textContent()).toBe('Online');
    expect(await page.getByTestId('status-account').textContent()).toBe('Anonymous');
    for (const p of PAGES) {
      await page.getByRole('link', { name: p.label, exact: true }).click();
      await page.getByRole('heading', { level: 1, name: p.label }).waitFor();
      expect(page.url()).toContain(`#${p.path}`);
      expect(await page.getByRole('link', { name: p.label, exact: true }).getAttribute('aria-current')).toBe('page');
      await page.screenshot({ path: path.join(SHOTS, `${p.label.toLowerCase()}.png`) });
    }
    // Unasked, only the reachability probe; the rest is the Gallery's search, which the visit asked for.
    expect(hub.requests.every((r) => r === 'HEAD /' || r.startsWith('GET /api/models?'))).toBe(true);
  });

  it('changes the cache location in Settings, and it survives a reload', async () => {
    const s = await serve();
    const page = await openApp(s);
    await page.getByRole('link', { name: 'Settings' }).click();
    expect(await page.getByTestId('cache-path').textContent()).toBe(path.join(s.hfHome, 'hub'));
    expect(await page.getByTestId('cache-source').textContent()).toBe('From HF_HOME');
    expect(await page.getByTestId('data-dir').textContent()).toBe(s.dataDir);
    expect(await page.getByTestId('versions').textContent()).toMatch(/node-llama-cpp\d+\.\d+\.\d+/);

    const target = path.join(s.home, 'models', 'hf-cache');
    await page.getByLabel('Change location').fill(target);
    await page.getByRole('button', { name: 'Save', exact: true }).click();
    await expect.poll(() => page.getByTestId('cache-path').textContent()).toBe(target);
    expect(await page.getByTestId('cache-source').textContent()).toBe('Set in Hubcap');
    await page.screenshot({ path: path.join(SHOTS, 'settings-changed.png'), fullPage: true });

    await page.reload();
    await page.getByTestId('cache-path').waitFor();
    expect(await page.getByTestId('cache-path').textContent()).toBe(target);
    expect(JSON.parse(fs.readFileSync(path.join(s.dataDir, 'settings.json'), 'utf8'))).toMatchObject({ hubCacheDir: target });

    // A bad path gets a specific message and nothing is written.
    const before = fs.readFileSync(path.join(s.dataDir, 'settings.json'), 'utf8');
    await page.getByLabel('Change location').fill('relative/models');
    await page.getByRole('button', { name: 'Save', exact: true }).click();
    await expect.poll(() => page.getByRole('alert').textContent()).toMatch(/Use a full path.*INVALID_PATH/);
    expect(fs.readFileSync(path.join(s.dataDir, 'settings.json'), 'utf8')).toBe(before);
    await page.screenshot({ path: path.join(SHOTS, 'settings-invalid-path.png'), fullPage: true });

    // Download settings are kept too.
    await page.getByLabel('Files at once').selectOption('5');
    await expect.poll(() => JSON.parse(fs.readFileSync(path.join(s.dataDir, 'settings.json'), 'utf8')).downloadConcurrency).toBe(5);
    await page.reload();
    expect(await page.getByLabel('Files at once').inputValue()).toBe('5');

    // Back to the environment's location.
    await page.getByRole('button', { name: /Use HF_HOME/ }).click();
    await expect.poll(() => page.getByTestId('cache-source').textContent()).toBe('From HF_HOME');
  });

  it('switches to offline mode and the dark theme, kept across reloads', async () => {
    const s = await serve();
    const page = await openApp(s);
    await page.goto(`${s.baseUrl}#/settings`);
    await page.getByRole('switch', { name: 'Offline mode' }).click();
    await expect.poll(() => page.getByTestId('status-hub').textContent()).toBe('Offline');
    await page.getByRole('radio', { name: 'Dark' }).click();
    await expect.poll(() => page.evaluate(() => document.documentElement.classList.contains('dark'))).toBe(true);
    await page.reload();
    await page.getByTestId('status-hub').waitFor();
    await expect.poll(() => page.evaluate(() => document.documentElement.classList.contains('dark'))).toBe(true);
    expect(await page.getByTestId('status-hub').textContent()).toBe('Offline');
    await page.screenshot({ path: path.join(SHOTS, 'settings-dark.png') });
    await page.goto(`${s.baseUrl}#/gallery`);
    await page.getByRole('heading', { level: 1, name: 'Gallery' }).waitFor();
    await page.screenshot({ path: path.join(SHOTS, 'gallery-dark.png') });
  });

  it('reports a corrupt settings file and starts with defaults', async () => {
    const s = await serve({ before: ({ dataDir }) => fs.writeFileSync(path.join(dataDir, 'settings.json'), '{ broken') });
    const page = await openApp(s);
    await page.goto(`${s.baseUrl}#/settings`);
    await expect.poll(() => page.getByRole('alert').first().textContent()).toMatch(/could not be used \(not valid JSON\).*kept as/);
    expect(fs.readdirSync(s.dataDir).some((f) => f.startsWith('settings.corrupt-'))).toBe(true);
    await page.screenshot({ path: path.join(SHOTS, 'settings-corrupt-warning.png') });
  });
});

/** Opens the serve WebSocket from a page: 'open' if accepted, 'closed' if refused. */
function tryWebSocket(from: Page, s: ServeProcess): Promise<string> {
  return from.evaluate(
    (url) =>
      new Promise<string>((resolve) => {
        const sock = new WebSocket(url);
        sock.onopen = () => resolve('open');
        sock.onclose = () => resolve('closed');
      }),
    `ws://127.0.0.1:${s.port}/api/ws`,
  );
}

describe('hubcap serve refuses what it should', () => {
  it('refuses the page and the WebSocket without the secret', async () => {
    const s = await serve();
    const page = await (await context()).newPage();
    const res = await page.goto(s.baseUrl);
    expect(res?.status()).toBe(401);
    expect(await page.textContent('body')).toMatch(/needs the access key/);
    const ws = await tryWebSocket(page, s);
    expect(ws).toBe('closed');
  });

  it('a page on another port of 127.0.0.1 gets the cookie, and it opens nothing: not the key, no session, no WebSocket', async () => {
    const s = await serve();
    const ctx = await context();
    const page = await ctx.newPage();
    await page.goto(s.url);
    await page.getByRole('navigation', { name: 'Main' }).waitFor();
    // Browsers send cookies to every port of a host: the other server really receives ours.
    const evil = await startTinyHub();
    cleanup.push(() => evil.close());
    const other = await ctx.newPage();
    await other.goto(`${evil.url}/steal`);
    const stolen = evil.cookies.find((c) => c.includes(`hubcap_${s.port}=`));
    expect(stolen).toBeDefined();
    expect(stolen).not.toContain(s.secret);
    expect(await other.evaluate(() => localStorage.getItem('hubcap.session'))).toBeNull();
    // Replayed from a non-browser client: no Origin, no session; forged Origin, still no session.
    const wsUrl = `ws://127.0.0.1:${s.port}/api/ws`;
    const tryNode = (headers: Record<string, string>, protocols: string[] = ['hubcap.v1']) =>
      new Promise<string>((resolve) => {
        const ws = new NodeWebSocket(wsUrl, protocols, { headers: { Cookie: stolen as string, ...headers } });
        ws.once('open', () => {
          ws.close();
          resolve('open');
        });
        ws.once('unexpected-response', (_req, res) => resolve(String(res.statusCode)));
        ws.once('error', () => resolve('error'));
      });
    expect(await tryNode({})).toBe('403');
    expect(await tryNode({ Origin: `http://127.0.0.1:${s.port}` })).toBe('401');
    expect(await tryNode({ Origin: `http://127.0.0.1:${s.port}` }, ['hubcap.v1', 'hubcap.session.guess'])).toBe('401');
    // And from the other page itself, in the browser: its Origin is refused.
    expect(await tryWebSocket(other, s)).toBe('closed');
    // The page that holds the session still works.
    await page.reload();
    await expect.poll(() => page.getByTestId('status-connection').count()).toBe(0);
  });

  it('refuses a WebSocket from another origin even when the browser holds the cookie', async () => {
    const s = await serve();
    const ctx = await context();
    const page = await ctx.newPage();
    await page.goto(s.url); // the context now holds the session cookie
    // 127.0.0.1 on another port is the same *site*, so SameSite does not help here; Origin does.
    const evil = await ctx.newPage();
    await evil.goto(hub.url);
    const result = await tryWebSocket(evil, s);
    expect(result).toBe('closed');
  });

  it('answers a schema-invalid call with a structured validation error', async () => {
    const s = await serve();
    const page = await openApp(s);
    const reply = await page.evaluate(
      (url) =>
        new Promise<unknown>((resolve) => {
          // As the app does: with this page's session (kept in localStorage, never in a cookie).
          const sock = new WebSocket(url, ['hubcap.v1', `hubcap.session.${localStorage.getItem('hubcap.session') ?? ''}`]);
          sock.onopen = () => sock.send(JSON.stringify({ t: 'q', i: 'bad-1', m: 'invoke', a: ['settings.update', { hubCacheDir: 7 }] }));
          sock.onmessage = (ev) => {
            const frame = JSON.parse(String(ev.data)) as { t: string; i?: string; r?: unknown };
            if (frame.t === 's' && frame.i === 'bad-1') resolve(frame.r);
          };
        }),
      `ws://127.0.0.1:${s.port}/api/ws`,
    );
    expect(reply).toMatchObject({
      ok: false,
      error: {
        code: 'VALIDATION_FAILED',
        message: expect.stringMatching(/hubCacheDir/),
        details: { issues: [expect.objectContaining({ path: 'hubCacheDir' })] },
      },
    });
  });
});
