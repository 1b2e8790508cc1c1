/**
 * How the Local API and the mirror follow their settings: brought in line at once and at every
 * `settings.changed`, one restart at a time ending on the latest settings, none for a setting the
 * server reads live, tried again after a failed start, and nothing at all once closed.
 */
import { describe, expect, it } from 'vitest';
import { EventBus } from '../../src-main/base/events';
import { SettingsFollower } from '../../src-main/base/follow-settings';

interface Server {
  enabled: boolean;
  port: number;
  origins: string;
}

/** A follower over settings the test changes; each restart waits until the test lets it finish (or fail to start). */
function followed(first: Partial<Server> = {}) {
  const events = new EventBus();
  let now: Server = { enabled: true, port: 1, origins: 'a', ...first };
  const restarts: { want: Server; done: boolean; finish: (started: boolean) => void }[] = [];
  let inFlight = 0;
  let overlapped = false;
  const follower = new SettingsFollower<Server>({
    read: () => now,
    restartOn: ['port'],
    restart: (want) =>
      new Promise<boolean>((resolve) => {
        inFlight += 1;
        if (inFlight > 1) overlapped = true;
        restarts.push({ want, done: false, finish: resolve });
      }),
  });
  const change = (patch: Partial<Server>) => {
    now = { ...now, ...patch };
    events.emit('settings.changed', {} as never);
  };
  /** Lets the restart in progress end (`started`: whether a server runs now); the next is asked for only after it. */
  const finish = async (started = true) => {
    await expect.poll(() => restarts.some((r) => !r.done)).toBe(true);
    const r = restarts.find((x) => !x.done) as (typeof restarts)[number];
    r.done = true;
    inFlight -= 1;
    r.finish(started);
  };
  return { events, follower, restarts, change, finish, overlapped: () => overlapped };
}

describe('following the settings', () => {
  it('starts at once, restarts only for a setting it was started with, and ends on the latest settings', async () => {
    const f = followed();
    f.follower.follow(f.events);
    await f.finish();
    expect(f.restarts.map((r) => r.want.port)).toEqual([1]);

    // A setting read live (CORS origins) restarts nothing.
    f.change({ origins: 'b' });
    await f.follower.apply();
    expect(f.restarts).toHaveLength(1);

    // Three changes in a row while a restart runs: never two at once, and the last one wins.
    f.change({ port: 2 });
    await expect.poll(() => f.restarts.length).toBe(2);
    f.change({ port: 3 });
    f.change({ port: 4 });
    await f.finish();
    await f.finish();
    await f.follower.apply();
    expect(f.overlapped()).toBe(false);
    // The restart for port 2 ran to its end; the next found the latest settings (4), the one after it had nothing to do.
    expect(f.restarts.map((r) => r.want.port)).toEqual([1, 2, 4]);
  });

  it('tries again at the next change after a failed start, and stops when turned off', async () => {
    const f = followed();
    f.follower.follow(f.events);
    await f.finish(false); // the port was taken
    f.change({ origins: 'b' }); // the same port: tried again, since nothing runs
    await f.finish(true);
    expect(f.restarts.map((r) => r.want.port)).toEqual([1, 1]);

    f.change({ enabled: false });
    await f.finish(false);
    expect(f.restarts.at(-1)?.want).toMatchObject({ enabled: false, port: 1 });
    // Turned off, each change still brings it in line (the owner tells its view), and turning on starts it.
    f.change({ enabled: true });
    await f.finish(true);
    expect(f.restarts.map((r) => r.want.enabled)).toEqual([true, true, false, true]);
  });

  it('does nothing until followed (the CLI), and nothing once closed; closing waits for the restart in progress', async () => {
    const f = followed();
    f.change({ port: 2 });
    expect(f.restarts).toEqual([]);
    expect(f.events.size).toBe(0);

    f.follower.follow(f.events);
    await expect.poll(() => f.restarts.length).toBe(1);
    let closed = false;
    const closing = f.follower.close().then(() => (closed = true));
    f.change({ port: 5 }); // heard by nobody: closing stops following at once
    await Promise.resolve();
    expect(closed).toBe(false);
    await f.finish();
    await closing;
    expect(f.events.size).toBe(0);
    f.follower.follow(f.events);
    f.change({ port: 3 });
    await f.follower.apply();
    expect(f.restarts.map((r) => r.want.port)).toEqual([2]);
  });
});
