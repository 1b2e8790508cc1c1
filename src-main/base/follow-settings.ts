/**
 * How a server this process runs as Settings say (the Local API, the LAN mirror) follows them:
 * brought in line now and again at every `settings.changed`, one change at a time (a restart never
 * overlaps the next, and a burst of changes ends with the latest settings), restarted only when a
 * setting it was started with changed (the others it reads live), and tried again at the next
 * change when it could not start. Only long-lived processes follow: a slice calls `follow` from
 * `background`, so the CLI's one-shot commands never start such a server.
 */
import type { EventBus } from './events';

export interface FollowedSettings {
  enabled: boolean;
}

export interface SettingsFollowerOptions<S extends FollowedSettings> {
  /** This server's part of the settings, read now. */
  read(): S;
  /** The settings a running server was started with: a change of any of them restarts it. */
  restartOn: readonly (keyof S)[];
  /** Stops the server if one runs, then starts one when `want.enabled`; true when one runs now. Failures are the owner's to show. */
  restart(want: S): Promise<boolean>;
}

export class SettingsFollower<S extends FollowedSettings> {
  readonly #o: SettingsFollowerOptions<S>;
  /** The settings the running server was started with; null when none runs. */
  #started: S | null = null;
  #applying: Promise<void> = Promise.resolve();
  #unfollow: (() => void) | null = null;
  #closed = false;

  constructor(opts: SettingsFollowerOptions<S>) {
    this.#o = opts;
  }

  /** Brings the server in line with the settings now, and again at every `settings.changed` until `close`. */
  follow(events: Pick<EventBus, 'when'>): void {
    if (this.#closed || this.#unfollow) return;
    void this.apply();
    this.#unfollow = events.when('settings.changed', () => void this.apply());
  }

  /** Brings the server in line with the settings, after any change still in progress. */
  apply(): Promise<void> {
    if (this.#closed) return this.#applying;
    this.#applying = this.#applying.then(() => this.#apply()).catch(() => undefined);
    return this.#applying;
  }

  async #apply(): Promise<void> {
    if (this.#closed) return;
    const want = this.#o.read();
    const was = this.#started;
    if (was && want.enabled && this.#o.restartOn.every((k) => was[k] === want[k])) return;
    this.#started = null;
    this.#started = (await this.#o.restart(want)) ? { ...want } : null;
  }

  /** Stops following and waits for the change in progress; the owner stops its server after. */
  async close(): Promise<void> {
    this.#closed = true;
    this.#unfollow?.();
    this.#unfollow = null;
    await this.#applying;
  }
}
