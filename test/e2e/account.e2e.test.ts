/**
 * Signing in through the UI: a real Secret Service (gnome-keyring in dbus-run-session) behind
 * `hubcap serve`, fakehub as the Hub. Login, switch, logout, a gated download that fails
 * anonymously and works after login, the no-keychain path, and the token nowhere it should not be.
 * Each test starts its own server (its own keychain and data): none depends on another's state.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { startFakeHub, type FakeHub } from '../fakehub/server';
import { standardRepos, TOKENS } from '../fakehub/fixtures';
import { launchChromium, newContext, SHOTS, screenshotOnFailure } from './chromium';
import { startServe, type ServeProcess } from './serve-process';
import { filesUnder } from '../helpers/files';

const [ALICE, BOB] = Object.keys(TOKENS) as [string, string];

let browser: Browser;
let hub: FakeHub;
let serve: ServeProcess;
let page: Page;
let traffic: string[] = [];
let hubLogFrom = 0;

beforeAll(async () => {
  browser = await launchChromium();
  hub = await startFakeHub({ repos: standardRepos(), tokens: TOKENS });
});
afterAll(async () => {
  await browser?.close();
  await hub?.close();
});
screenshotOnFailure(() => page);

describe('account through the UI', () => {
  beforeEach(async () => {
    serve = await startServe({ env: { HF_ENDPOINT: hub.url }, keychain: true });
    page = await (await newContext(browser, { viewport: { width: 1280, height: 900 } })).newPage();
    traffic = [];
    hubLogFrom = hub.log.length;
    // Every frame the UI receives from the core, for the leakage check.
    page.on('websocket', (ws) => ws.on('framereceived', (f) => traffic.push(String(f.payload))));
    await page.goto(serve.url);
    await page.getByRole('navigation', { name: 'Main' }).waitFor();
  });
  afterEach(async () => {
    await page?.context().close();
    await serve?.stop();
  });

  async function signIn(token: string, name?: string) {
    await page.goto(`${serve.baseUrl}#/account`);
    await page
      .getByRole('button', { name: /Sign in|Add a token/ })
      .first()
      .click();
    const dialog = page.getByRole('dialog');
    await dialog.getByLabel('Access token').fill(token);
    if (name) await dialog.getByLabel('Token name').fill(name);
    await dialog.getByRole('button', { name: 'Check and save' }).click();
  }

  /** The token is not in what the UI received, in the server's output or files, or in any request to the CDN. */
  function expectNoLeak(tokens: string[]) {
    const seen = traffic.join('\n');
    expect(seen.length).toBeGreaterThan(0);
    for (const token of tokens) {
      expect(seen).not.toContain(token);
      expect(serve.output()).not.toContain(token);
      for (const f of filesUnder(serve.home)) expect(fs.readFileSync(f).includes(token)).toBe(false);
    }
    expect(hub.log.slice(hubLogFrom).every((r) => r.origin !== 'cdn' || r.headers.authorization === undefined)).toBe(true);
  }

  async function download(repo: string) {
    await page.goto(`${serve.baseUrl}#/downloads`);
    await page.getByLabel('Repo id').fill(repo);
    await page.getByRole('button', { name: 'Download', exact: true }).click();
    return page.getByTestId('download-job').filter({ hasText: repo }).first();
  }

  it('a gated download fails anonymously, and works after signing in once access is granted', async () => {
    const job = await download('acme/gated-llm');
    await expect.poll(() => job.getAttribute('data-state'), { timeout: 15_000 }).toBe('error');
    expect(await job.getByRole('alert').textContent()).toMatch(/gated: sign in/);

    await signIn('hf_this_token_was_revoked_0000');
    await expect.poll(() => page.getByRole('dialog').getByRole('alert').textContent()).toMatch(/rejected this token.*Nothing was saved/);
    await page.screenshot({ path: path.join(SHOTS, 'account-bad-token.png') });
    await page.getByRole('dialog').getByRole('button', { name: 'Cancel' }).click();

    await signIn(ALICE);
    await expect.poll(() => page.getByTestId('status-account').textContent()).toBe('Signed in as alice (read)');
    await expect.poll(() => page.getByTestId('account-current').textContent()).toMatch(/Read.*laptop/);
    await page.screenshot({ path: path.join(SHOTS, 'account.png'), fullPage: true });

    hub.grantAccess('acme/gated-llm', 'alice');
    await page.goto(`${serve.baseUrl}#/downloads`);
    await job.getByRole('button', { name: 'Retry' }).click();
    await expect.poll(() => job.getAttribute('data-state'), { timeout: 15_000 }).toBe('done');
    // The signed-in download reached the CDN, which never saw the token.
    expect(hub.log.slice(hubLogFrom).some((r) => r.origin === 'cdn')).toBe(true);
    expectNoLeak([ALICE]);
  });

  it('switches between named tokens, renames and logs out', async () => {
    await signIn(ALICE);
    await expect.poll(() => page.getByTestId('status-account').textContent()).toBe('Signed in as alice (read)');
    await signIn(BOB, 'work');
    await expect.poll(() => page.getByTestId('status-account').textContent()).toBe('Signed in as bob (write)');
    const rows = page.getByTestId('token-row');
    await expect.poll(() => rows.count()).toBe(2);
    await rows.filter({ hasText: 'laptop' }).getByRole('button', { name: 'Use' }).click();
    await expect.poll(() => page.getByTestId('status-account').textContent()).toBe('Signed in as alice (read)');
    await rows.filter({ hasText: 'work' }).getByRole('button', { name: 'Rename work' }).click();
    await page.getByLabel('New name').fill('ci-bot');
    await page.getByRole('button', { name: 'Save' }).click();
    await expect.poll(() => rows.filter({ hasText: 'ci-bot' }).count()).toBe(1);
    await page.screenshot({ path: path.join(SHOTS, 'account-tokens.png'), fullPage: true });
    // A token not in use is removed (after asking); the one in use is logged out.
    await rows.filter({ hasText: 'ci-bot' }).getByRole('button', { name: 'Remove ci-bot' }).click();
    await page.getByRole('dialog').getByRole('button', { name: 'Remove' }).click();
    await expect.poll(() => rows.count()).toBe(1);
    await rows.filter({ hasText: 'laptop' }).getByRole('button', { name: 'Log out laptop' }).click();
    await expect.poll(() => page.getByTestId('status-account').textContent()).toBe('Anonymous');
    expectNoLeak([ALICE, BOB]);
  });
});

describe('without a keychain', () => {
  it('keeps the token for the session only, and says so', async () => {
    const plain = await startServe({ env: { HF_ENDPOINT: hub.url } });
    try {
      const p = await (await newContext(browser, { viewport: { width: 1280, height: 900 } })).newPage();
      await p.goto(plain.url);
      await p.goto(`${plain.baseUrl}#/account`);
      await p.getByTestId('no-keychain').waitFor();
      await p.getByRole('button', { name: 'Sign in' }).first().click();
      await p.getByRole('dialog').getByLabel('Access token').fill(ALICE);
      await p.getByRole('dialog').getByRole('button', { name: 'Check and save' }).click();
      await expect.poll(() => p.getByTestId('status-account').textContent()).toBe('Signed in as alice (read)');
      expect(await p.getByTestId('token-row').textContent()).toMatch(/this session only/);
      await p.screenshot({ path: path.join(SHOTS, 'account-no-keychain.png'), fullPage: true });
      for (const f of filesUnder(plain.home)) expect(fs.readFileSync(f).includes(ALICE)).toBe(false);
    } finally {
      await plain.stop();
    }
  });
});
