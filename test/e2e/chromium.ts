/** Debian's Chromium, driven by playwright-core (never `npx playwright install`). */
import fs from 'node:fs';
import { beforeEach, onTestFailed } from 'vitest';
import { chromium, type Browser, type BrowserContext, type BrowserContextOptions, type Page } from 'playwright-core';

export const CHROMIUM_FLAGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--no-first-run',
  '--disable-sync',
];

/** Where e2e tests save screenshots of every page (ignored by git). */
export const SHOTS = new URL('../../test-results/e2e/', import.meta.url).pathname;

export const CHROMIUM_INSTALL_HINT = 'sudo apt-get update && sudo apt-get install -y chromium';

export function findChromium(candidates = [process.env.CHROMIUM_PATH, '/usr/bin/chromium', '/usr/bin/chromium-browser']): string {
  for (const c of candidates) if (c && fs.existsSync(c)) return c;
  throw new Error(
    `End-to-end tests need Debian's Chromium, which is not installed (looked for ${candidates.filter(Boolean).join(', ')}).\n` +
      `Install it with:  ${CHROMIUM_INSTALL_HINT}\n(or set CHROMIUM_PATH to a Chromium binary).`,
  );
}

export function launchChromium(): Promise<Browser> {
  return chromium.launch({ executablePath: findChromium(), args: CHROMIUM_FLAGS });
}

/**
 * A browser context as every e2e test opens one: reduced motion asked for, so app.css drops colour
 * transitions and a screenshot taken right after a theme switch or a state change shows the settled
 * page, not buttons half-way between light and dark. Asked here, per context: Playwright emulates
 * 'no-preference' in every context it opens, which overrode the --force-prefers-reduced-motion flag.
 */
export function newContext(browser: Browser, options: BrowserContextOptions = {}): Promise<BrowserContext> {
  return browser.newContext({ reducedMotion: 'reduce', ...options });
}

/**
 * When a test fails, saves what the page showed (`failed-<test>.png` beside the other screenshots)
 * and prints its alerts: a timeout alone says nothing about what the user would have seen.
 */
export function screenshotOnFailure(page: () => Page | undefined): void {
  beforeEach(() => {
    onTestFailed(async ({ task }) => {
      const p = page();
      if (!p || p.isClosed()) return;
      const name = task.name.replace(/[^\w-]+/g, '-').slice(0, 80);
      await p.screenshot({ path: `${SHOTS}failed-${name}.png`, fullPage: true }).catch(() => undefined);
      const alerts = await p
        .getByRole('alert')
        .allTextContents()
        .catch(() => []);
      console.error(`[e2e] "${task.name}" failed on ${p.url()}; alerts: ${alerts.length ? alerts.join(' | ') : 'none'}`);
    });
  });
}
