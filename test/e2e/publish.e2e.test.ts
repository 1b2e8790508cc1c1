/**
 * Publishing in Chromium: a Library item → Publish → the token explains it cannot write → sign in
 * with a write token in place → choose the repo → review the plan → edit the card → publish with
 * progress → the commit link and "download it back and verify". Screenshots of each step.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { standardRepos, TOKENS } from '../fakehub/fixtures';
import { ggufWithBase } from '../fixtures/publish-files';
import { SHOTS, screenshotOnFailure } from './chromium';
import { openWithFakeHub, type HubServedPage, type ServeProcess } from './serve-process';

const [ALICE_READ, BOB_WRITE] = Object.keys(TOKENS) as [string, string];

let served: HubServedPage;
let serve: ServeProcess;
let page: Page;
let home: string;

beforeAll(async () => {
  home = fs.mkdtempSync(path.join(os.tmpdir(), 'hubcap-e2e-publish-'));
  // The Hub takes uploads over Xet, as the real one does (only the user's repos are Xet, so startup chunks nothing).
  served = await openWithFakeHub({ env: { HOME: home } }, { repos: standardRepos(), tokens: TOKENS, xet: { isXet: (repo) => repo.id.startsWith('bob/') } });
  ({ serve, page } = served);
});
afterAll(async () => {
  await served?.close();
  fs.rmSync(home, { recursive: true, force: true });
});
screenshotOnFailure(() => page);

async function signInHere(token: string, where: 'token-status' | 'token-problem') {
  await page
    .getByTestId(where)
    .getByRole('button', { name: /^Sign in/ })
    .click();
  const dialog = page.getByRole('dialog', { name: 'Sign in with a Hub token' });
  await dialog.getByLabel('Access token').fill(token);
  await dialog.getByRole('button', { name: 'Check and save' }).click();
  await dialog.waitFor({ state: 'detached' });
}

describe('publish', () => {
  it('from a Library model: explains the token, signs in with a write token in place, edits the card, publishes with progress and verifies', async () => {
    const file = ggufWithBase(path.join(home, 'made', 'my-tiny-Q4_K_M.gguf'), { baseRepoUrl: 'https://huggingface.co/acme/tiny-llm', pad: 6 << 20 });
    await page.goto(`${serve.baseUrl}#/library`);
    await page.getByLabel('Model files').setInputFiles([{ name: 'my-tiny-Q4_K_M.gguf', mimeType: 'application/octet-stream', buffer: fs.readFileSync(file) }]);
    const card = page.getByTestId('library-item').filter({ hasText: 'my-tiny-Q4_K_M.gguf' });
    await card.waitFor({ timeout: 15_000 });
    await card.getByRole('link', { name: /Publish my-tiny/ }).click();

    await page.getByRole('heading', { name: 'Publish', level: 1 }).waitFor();
    await page.getByTestId('publish-item').getByText('my-tiny-Q4_K_M.gguf', { exact: true }).waitFor();
    await page
      .getByTestId('token-status')
      .getByText(/Not signed in/)
      .waitFor();
    expect(await page.getByLabel('Repo name').inputValue()).toBe('my-tiny-Q4_K_M');
    await page.getByLabel('Repo name').fill('my-tiny');
    // Nobody to publish as yet: Review waits for a sign-in, offered in place.
    expect(await page.getByRole('button', { name: 'Review' }).isDisabled()).toBe(true);

    // A read token: explained, with the kind of token needed and where to make one.
    await signInHere(ALICE_READ, 'token-status');
    await page
      .getByTestId('token-status')
      .getByText(/alice.*read token/)
      .waitFor();
    await page.getByRole('button', { name: 'Review' }).click();
    const problem = page.getByTestId('token-problem');
    await problem.getByText(/read token: it can download but not publish/).waitFor();
    await problem.getByRole('link', { name: 'Create a write token' }).waitFor();
    await page.screenshot({ path: path.join(SHOTS, 'publish-read-token.png'), fullPage: true });
    expect(served.hub.log.some((l) => /preupload|repos\/create|\/commit\//.test(l.url))).toBe(false);

    // A write token, signed in from the notice: the plan comes back by itself.
    await signInHere(BOB_WRITE, 'token-problem');
    await page.getByTestId('publish-plan').waitFor();
    // The owner follows the new account once the page hears of it (the plan may show first).
    await expect.poll(() => page.getByLabel('Owner').inputValue(), { timeout: 10_000 }).toBe('bob');
    await page
      .getByTestId('publish-plan')
      .getByText(/Creates bob\/my-tiny/)
      .waitFor();
    expect(await page.getByTestId('plan-file').count()).toBe(1);
    const editor = page.getByTestId('card-editor');
    expect(await editor.inputValue()).toContain('base_model: "acme/tiny-llm"');
    await page.screenshot({ path: path.join(SHOTS, 'publish-plan.png'), fullPage: true });

    // A broken metadata block is caught before anything is sent; then the user's own words.
    const suggested = await editor.inputValue();
    await editor.fill(suggested.replace(/\n---\n/, '\n'));
    await page.getByText(/metadata block at the top is not closed/).waitFor();
    expect(await page.getByRole('button', { name: /Create bob\/my-tiny and publish/ }).isDisabled()).toBe(true);
    await editor.fill(`${suggested}\nTrained on a laptop over a weekend.\n`);
    await page.getByLabel('Commit message').fill('First tiny model');
    await page.getByRole('button', { name: /Create bob\/my-tiny and publish/ }).click();

    const job = page.getByTestId('publish-job');
    await job.waitFor();
    // Chunking and hashing for Xet runs in the upload worker: generous on a loaded machine.
    await page.locator('[data-testid="publish-job"][data-state="done"]').waitFor({ timeout: 90_000 });
    await job.getByText(/Commit [0-9a-f]{10} with 2 files/).waitFor();
    // Its 6 MB of padding compress to a few kB: what travelled, not the file's size.
    await job.getByText(/Sent via Xet: [\d.]+ kB/).waitFor();
    await job.getByTestId('verify-publish').click();
    await job.locator('[data-testid="verify-result"][data-state="ok"]').waitFor({ timeout: 20_000 });
    expect(await job.getByTestId('verify-result').textContent()).toMatch(/same sha256 for all 2 files/);
    await page.screenshot({ path: path.join(SHOTS, 'publish-done.png'), fullPage: true });
    // The Xet line in the dark theme too (its muted text on the card).
    await page.emulateMedia({ colorScheme: 'dark' });
    // Colours change through CSS transitions: the shot waits for them to end.
    await page.waitForFunction(() => document.getAnimations().every((a) => a.playState !== 'running'));
    await page.screenshot({ path: path.join(SHOTS, 'publish-done-dark.png'), fullPage: true });
    await page.emulateMedia({ colorScheme: 'light' });

    const repo = served.hub.repos.get('model:bob/my-tiny');
    expect(repo?.private).toBe(true);
    const head = repo?.commits.at(-1);
    expect(head?.title).toBe('First tiny model');
    expect(head?.files.get('README.md')?.content.read(0, 10_000).toString()).toContain('Trained on a laptop over a weekend.');
    // The GGUF went over Xet (xorbs and a shard to the CAS, none with the Hub token), nothing to the LFS host.
    expect(served.hub.log.some((l) => l.origin === 'upload')).toBe(false);
    expect(served.hub.xet?.uploads.received().xorbs).toBeGreaterThan(0);
    expect(served.hub.xet?.cas.log.every((l) => !(l.headers.authorization ?? '').includes(BOB_WRITE))).toBe(true);
    for (const t of [ALICE_READ, BOB_WRITE]) expect(serve.output()).not.toContain(t);
  }, 240_000);
});
