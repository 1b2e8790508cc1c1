/**
 * One teardown for the e2e helpers (serve-process.ts, outdated-cache.ts): a setup failing halfway
 * and a close called twice (a failing test's afterAll beside its owner's) leave no fake Hub, no
 * browser and no `hubcap serve` behind; a teardown step that throws does not keep the rest running.
 */
import fs from 'node:fs';
import { describe, expect, it } from 'vitest';
import { buildRepo } from '../fakehub/model';
import { openOnOutdatedCache } from './outdated-cache';
import { openWithFakeHub } from './serve-process';
import { Teardown } from './teardown';

/** What this process still holds open that a leak would leave: listening servers (fake Hubs) and child processes (browsers, servers). */
function held(): { servers: number; children: number } {
  const active = process.getActiveResourcesInfo();
  return { servers: active.filter((r) => r === 'TCPServerWrap').length, children: active.filter((r) => r === 'ProcessWrap').length };
}

/** Before any test started anything: each test must leave the process as it found it. */
const START = held();

/** A closed handle leaves this list a turn of the event loop after its close returned: polled, not slept on. */
const released = () => expect.poll(held, { timeout: 15_000 }).toEqual(START);

describe('the e2e teardown', () => {
  it('runs every step once, last started first, even when one throws', async () => {
    const ran: string[] = [];
    const teardown = new Teardown();
    teardown.add('hub', (n) => ran.push(n));
    teardown.add('server', () => {
      throw new Error('server would not stop');
    });
    teardown.add('browser', (n) => ran.push(n));
    const first = teardown.close();
    const second = teardown.close();
    await expect(first).rejects.toThrow('server would not stop');
    await expect(second).rejects.toThrow('server would not stop');
    expect(ran).toEqual(['browser', 'hub']);
  });

  it('a setup failing once the fake Hub is up stops the fake Hub', async () => {
    await expect(
      openWithFakeHub({
        before: () => {
          throw new Error('the app folders were refused');
        },
      }),
    ).rejects.toThrow('the app folders were refused');
    await released();
  });

  it('an outdated cache that cannot be prepared stops its fake Hub and engine', async () => {
    const repo = 'acme/leak-check';
    await expect(
      openOnOutdatedCache({
        hub: { repos: [buildRepo({ id: repo, commits: [{ title: 'Initial upload', files: { 'config.json': '{}' } }] })] },
        repo,
        alter: () => {
          throw new Error('the cache could not be altered');
        },
        push: { title: 'Next', files: { 'config.json': '{"v":2}' } },
      }),
    ).rejects.toThrow('the cache could not be altered');
    await released();
  });

  it('closing twice after a test (afterAll beside its owner) stops the page, the server and the fake Hub once', async () => {
    await released();
    const app = await openWithFakeHub();
    try {
      expect(held().servers).toBeGreaterThan(START.servers);
    } finally {
      await Promise.all([app.close(), app.close()]);
    }
    expect(app.serve.proc.exitCode ?? app.serve.proc.signalCode).not.toBeNull();
    expect(app.browser.isConnected()).toBe(false);
    expect(fs.existsSync(app.serve.home)).toBe(false);
    await released();
  }, 120_000);
});
