/**
 * The Hub down is just offline (#29 point 4): with the Hub stopped halfway (not offline mode), a
 * cached model's page comes from the disk with a calm notice and Retry, the Gallery says so in
 * plain words, and no raw code (ECONNREFUSED, NETWORK…) is in what the user reads; the code stays
 * in a details line. When the Hub comes back, Retry brings the Hub's page back.
 */
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { standardRepos } from '../fakehub/fixtures';
import { startFakeHub, type FakeHub } from '../fakehub/server';
import { SHOTS, screenshotOnFailure } from './chromium';
import { openServedPage, type ServedPage, type ServeProcess } from './serve-process';

const RAW = /ECONNREFUSED|ECONNRESET|ENOTFOUND|UND_ERR|\bNETWORK\b|\bSERVER_ERROR\b|UNAUTHORIZED|AccessDenied/;

let hub: FakeHub;
let hubPorts: { port: number; cdnPort: number };
let served: ServedPage;
let serve: ServeProcess;
let page: Page;

beforeAll(async () => {
  hub = await startFakeHub({ repos: standardRepos() });
  hubPorts = { port: Number(new URL(hub.url).port), cdnPort: Number(new URL(hub.cdnUrl).port) };
  served = await openServedPage({ env: { HF_ENDPOINT: hub.url } });
  ({ serve, page } = served);
  await page.getByRole('navigation', { name: 'Main' }).waitFor();
});
afterAll(async () => {
  await served?.close();
  await hub?.close();
});
screenshotOnFailure(() => page);

const go = (route: string) => page.goto(`${serve.baseUrl}#${route}`);
/** What a person reads: visible text only (a closed details line is not). */
const visibleText = () => page.locator('main').innerText();

describe('the Hub stopped halfway', () => {
  it('shows a cached model from this machine, calmly, with Retry that brings the Hub back', async () => {
    await go('/downloads');
    await page.getByLabel('Repo id').fill('acme/tiny-llm');
    await page.getByLabel('Files or patterns').fill('README.md tiny-llm-Q4_K_M.gguf');
    await page.getByRole('button', { name: 'Download', exact: true }).click();
    await expect.poll(() => page.getByTestId('download-job').first().getAttribute('data-state'), { timeout: 20_000 }).toBe('done');

    await hub.close();
    // A fresh tab's worth of memory: nothing of the Hub's answers is left to show.
    await go(`/model/${encodeURIComponent('acme/tiny-llm')}`);
    await page.reload();
    await page.getByRole('heading', { level: 1, name: 'acme/tiny-llm' }).waitFor({ timeout: 30_000 });
    const notice = page.getByTestId('hub-down');
    await notice.waitFor();
    expect(await notice.innerText()).toMatch(/Hub unreachable, showing what's on this machine/);
    await expect.poll(() => page.getByTestId('gguf-row').count()).toBe(2);
    expect(await page.getByTestId('gguf-row').filter({ hasText: 'Q4_K_M' }).getByTestId('group-state').getAttribute('data-state')).toBe('downloaded');
    expect(await page.getByTestId('model-card-text').textContent()).toMatch(/A tiny test model/);
    expect(await page.getByTestId('from-cache').textContent()).toMatch(/From this machine/);
    expect(await visibleText()).not.toMatch(RAW);
    // The code is one click away, for a bug report.
    await notice.getByText('Details').click();
    expect(await notice.innerText()).toMatch(/NETWORK: Could not reach/);
    await expect.poll(() => page.getByTestId('status-hub').textContent()).toBe('Hub unreachable');
    await page.screenshot({ path: path.join(SHOTS, 'model-page-hub-down.png'), fullPage: true });
    await page.emulateMedia({ colorScheme: 'dark' });
    await page.screenshot({ path: path.join(SHOTS, 'model-page-hub-down-dark.png') });
    await page.emulateMedia({ colorScheme: 'light' });

    // A model that is not on this machine: said plainly, with Retry, no code in the sentence.
    await go(`/model/${encodeURIComponent('acme/split-llm')}`);
    const alert = page.getByRole('alert');
    await alert.waitFor({ timeout: 30_000 });
    expect(await alert.innerText()).toMatch(/Could not reach .*Check the connection/);
    expect(await visibleText()).not.toMatch(RAW);
    expect(await alert.getByRole('button', { name: 'Retry' }).count()).toBe(1);

    hub = await startFakeHub({ repos: standardRepos(), ...hubPorts });
    await go(`/model/${encodeURIComponent('acme/tiny-llm')}`);
    await page.getByTestId('hub-down').getByRole('button', { name: 'Retry' }).click();
    await page.getByRole('link', { name: 'Open on the Hub' }).waitFor({ timeout: 30_000 });
    expect(await page.getByTestId('hub-down').count()).toBe(0);
    expect(await page.getByTestId('from-cache').count()).toBe(0);
  });

  it('says in plain words that the Gallery needs the Hub, and searches again once it is back', async () => {
    await hub.close();
    await go('/gallery?q=tiny');
    const notice = page.getByTestId('hub-down');
    await notice.waitFor({ timeout: 30_000 });
    expect(await notice.innerText()).toMatch(/Hub unreachable: searching needs it\. Everything already on this machine is in your Library\./);
    expect(await notice.getByRole('link', { name: 'Open the Library' }).count()).toBe(1);
    expect(await visibleText()).not.toMatch(RAW);
    await page.screenshot({ path: path.join(SHOTS, 'gallery-hub-down.png') });
    await page.setViewportSize({ width: 720, height: 900 });
    await page.screenshot({ path: path.join(SHOTS, 'gallery-hub-down-720.png') });
    await page.setViewportSize({ width: 1280, height: 900 });

    hub = await startFakeHub({ repos: standardRepos(), ...hubPorts });
    await notice.getByRole('button', { name: 'Retry' }).click();
    await expect.poll(() => page.getByTestId('model-card').count(), { timeout: 30_000 }).toBeGreaterThan(0);
    expect(await page.getByTestId('hub-down').count()).toBe(0);
  });
});
