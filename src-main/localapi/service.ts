/**
 * The local API in the app: started and stopped by Settings › Local API (off by default), on its
 * own port, loopback unless exposed; the key kept in the keychain (or HUBCAP_API_KEY); the latest
 * requests for the Settings page. A port already taken is shown, not thrown.
 *
 * It is the one holder of the key for every server of this process (the Settings one, `serve
 * --api-port`, `hubcap api`): they ask `key()` at every request, so "New key" retires the old one
 * at once. A key kept in the keychain is read again at most once a second, so a key rotated by
 * another Hubcap process (the desktop app, another `serve`) is retired here within a second too.
 */
import type { Keychain } from '../account/keychain';
import type { ApiRequestLog, LocalApiModel, LocalApiView } from '../contract/localapi';
import { apiModels } from './model-ids';
import type { LibraryItem } from '../contract/library';
import type { EventBus } from '../base/events';
import { SettingsFollower } from '../base/follow-settings';
import { listenFailure, ServerKeyStore } from '../base/keyed-server';
import { API_KEY, maskKey, type ApiKey } from './api-key';
import { startLocalApi, type LocalApi } from './server';
import type { LocalApiOptions } from './context';

export interface LocalApiSettings {
  enabled: boolean;
  port: number;
  exposed: boolean;
  corsOrigins: string[];
  parallel: 'auto' | number;
}

export interface LocalApiServiceOptions {
  inference: LocalApiOptions['inference'];
  items: () => Promise<LibraryItem[]>;
  keychain: Keychain;
  env: Readonly<Record<string, string | undefined>>;
  settings: () => LocalApiSettings;
  onChange: (view: LocalApiView) => void;
  /** How old the key read from the keychain may be before it is read again (default 1 s). */
  rereadMs?: number;
}

/** Where one Local API server listens and how; the service brings the inference, the models and the key. */
export type LocalApiListen = Pick<LocalApiOptions, 'host' | 'port' | 'parallel' | 'corsOrigins' | 'onRequest'>;

const RECENT = 50;

export class LocalApiService {
  /** The ids clients use, as /v1/models lists them (same function, so the page and the API agree). */
  async models(): Promise<LocalApiModel[]> {
    const loaded = this.#o.inference.status().model?.key ?? null;
    return apiModels(await this.#o.items(), loaded).map((m) => ({ id: m.id, key: m.key, name: m.name, repo: m.repo, loaded: m.key === loaded }));
  }

  readonly #o: LocalApiServiceOptions;
  readonly #key: ServerKeyStore<'HUBCAP_API_KEY'>;
  #api: LocalApi | null = null;
  #error: string | null = null;
  #recent: ApiRequestLog[] = [];
  // The CORS origins are read at every request: changing them restarts nothing.
  readonly #follower = new SettingsFollower<LocalApiSettings>({
    read: () => this.#o.settings(),
    restartOn: ['port', 'exposed', 'parallel'],
    restart: (want) => this.#restart(want),
  });

  constructor(opts: LocalApiServiceOptions) {
    this.#o = opts;
    this.#key = new ServerKeyStore({ spec: API_KEY, env: opts.env, keychain: opts.keychain, rereadMs: opts.rereadMs, onRotated: () => this.#emit() });
  }

  /** The key, made (and kept in the keychain) only when the API is turned on or the key is asked for. */
  #keyNow(): ApiKey {
    return this.#key.current();
  }

  view(): LocalApiView {
    const key = this.#key.peek();
    return {
      enabled: this.#o.settings().enabled,
      running: this.#api !== null,
      url: this.#api?.url ?? null,
      error: this.#error,
      key: key ? { masked: maskKey(key.key), source: key.source } : null,
      recent: [...this.#recent],
    };
  }

  key(): { key: string } {
    return { key: this.#keyNow().key };
  }

  /** The key of this moment and where it comes from, for servers this process starts outside the settings (the CLI's). */
  currentKey(): ApiKey {
    return this.#keyNow();
  }

  /** A new key for every server of this process at once (and, through the keychain, of the others within a second). */
  regenerate(): LocalApiView {
    this.#key.regenerate();
    this.#emit();
    return this.view();
  }

  /**
   * The one way a Local API server starts, whichever shell asks: Settings › Local API (`follow`),
   * `serve --api-port` and `hubcap api`. Each asks this service's key at every request.
   */
  listen(where: LocalApiListen): Promise<LocalApi> {
    return startLocalApi({ inference: this.#o.inference, items: this.#o.items, key: () => this.#keyNow().key, ...where });
  }

  /** Settings › Local API followed from now on (long-lived processes only): started, stopped, or restarted on another port. */
  follow(events: Pick<EventBus, 'when'>): void {
    this.#follower.follow(events);
  }

  async #restart(want: LocalApiSettings): Promise<boolean> {
    if (this.#api) {
      await this.#api.close();
      this.#api = null;
    }
    this.#error = null;
    if (want.enabled) {
      this.#keyNow();
      try {
        this.#api = await this.listen({
          host: want.exposed ? '0.0.0.0' : '127.0.0.1',
          port: want.port,
          corsOrigins: () => this.#o.settings().corsOrigins,
          parallel: want.parallel,
          onRequest: (entry) => {
            this.#recent = [entry, ...this.#recent].slice(0, RECENT);
            this.#emit();
          },
        });
      } catch (error) {
        this.#error = listenFailure(error, { port: want.port }, 'The local API');
      }
    }
    this.#emit();
    return this.#api !== null;
  }

  #emit(): void {
    this.#o.onChange(this.view());
  }

  async close(): Promise<void> {
    await this.#follower.close();
    await this.#api?.close();
    this.#api = null;
  }
}
