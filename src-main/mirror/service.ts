/**
 * The mirror in the app, and the one place any mirror of this process is started: Settings › Share
 * models on this network (off by default, loopback unless an interface is chosen, the settings
 * slice keeps the choice), `serve --mirror-port` and `hubcap mirror` all go through start(). It
 * holds the key every one of them asks at each request (so "New key" retires the old endpoint at
 * once; a key kept in the keychain is read again at most once a second, so one rotated by another
 * Hubcap process is retired here too), and the figures the Settings card shows. A port already
 * taken is shown, not thrown.
 */
import os from 'node:os';
import path from 'node:path';
import type { Keychain } from '../account/keychain';
import type { CacheScan } from '../cache/scan';
import { isTerminal, type DownloadJob, type DownloadRequest } from '../contract/downloads';
import { ApiError } from '../contract/errors';
import type { MirrorFigures, MirrorInterface, MirrorView } from '../contract/mirror';
import { MirrorAccess } from './access';
import { parseAllowList } from './allow-list';
import type { EventBus } from '../base/events';
import { SettingsFollower } from '../base/follow-settings';
import { listenFailure, ServerKeyStore } from '../base/keyed-server';
import { maskKey, MIRROR_KEY, type MirrorKey } from './key';
import { startMirror, type Mirror } from './server';

export interface MirrorSettings {
  enabled: boolean;
  port: number;
  host: string;
  rateLimit: number;
  allow: string;
  pullThrough: boolean;
}

export interface MirrorServiceOptions {
  scan: (fresh?: boolean) => CacheScan;
  /** The Hub it mirrors (HF_ENDPOINT). */
  endpoint: string;
  offline: () => boolean;
  /** Where the visibility answers of repos are remembered (the data folder). */
  dataDir: string;
  keychain: Keychain;
  env: Readonly<Record<string, string | undefined>>;
  /** The engine: a pull-through is a job like any other, on the Downloads page. */
  downloads: { add: (request: DownloadRequest) => { id: string }; get: (id: string) => DownloadJob };
  settings: () => MirrorSettings;
  onChange: (view: MirrorView) => void;
  rereadMs?: number;
}

export interface MirrorStart {
  host: string;
  port: number;
  allow?: string | undefined;
  rateLimit?: number;
  /** Fetch public repos the cache lacks from the Hub. Default on. */
  pullThrough?: boolean;
}

export interface RunningMirror {
  mirror: Mirror;
  key: MirrorKey;
  /** The endpoint others set as HF_ENDPOINT (key in full). */
  endpoint: string;
}

const FIGURES_MS = 2000;
const NO_FIGURES: MirrorFigures = { clients: 0, connected: 0, requests: 0, bytesFromCache: 0, bytesWhilePulling: 0, bytesUpstream: 0, refusedBlobs: 0 };

export function isLoopbackHost(host: string): boolean {
  return host === 'localhost' || host === '::1' || /^127\./.test(host);
}

/** What `serve --host`, `hubcap mirror` and the Settings card say when others can reach it. */
export function exposureWarning(host: string): string | null {
  return isLoopbackHost(host) ? null : `Listening on ${host}; anyone who can reach it and has the key can download what this cache holds.`;
}

/** The address others reach: the bound one, or this machine's first LAN address when bound to all. */
export function addressForOthers(host: string): string {
  if (host !== '0.0.0.0' && host !== '::') return host.includes(':') ? `[${host}]` : host;
  return lanAddresses()[0]?.address ?? '127.0.0.1';
}

function lanAddresses(): MirrorInterface[] {
  const out: MirrorInterface[] = [];
  for (const [name, list] of Object.entries(os.networkInterfaces())) {
    for (const a of list ?? []) if (a.family === 'IPv4' && !a.internal) out.push({ name, address: a.address });
  }
  return out;
}

/** The choices of where to listen: this machine only, each network interface, all of them. */
export function mirrorInterfaces(): MirrorInterface[] {
  return [{ name: 'This machine only', address: '127.0.0.1' }, ...lanAddresses(), { name: 'All interfaces', address: '0.0.0.0' }];
}

export class MirrorService {
  readonly #o: MirrorServiceOptions;
  readonly #key: ServerKeyStore<'HUBCAP_MIRROR_KEY'>;
  #running: { server: RunningMirror; settings: MirrorSettings } | null = null;
  #error: string | null = null;
  readonly #follower = new SettingsFollower<MirrorSettings>({
    read: () => this.#o.settings(),
    restartOn: ['port', 'host', 'rateLimit', 'allow', 'pullThrough'],
    restart: (want) => this.#restart(want),
  });
  #figuresTimer: NodeJS.Timeout | null = null;
  #lastFigures = '';

  constructor(opts: MirrorServiceOptions) {
    this.#o = opts;
    this.#key = new ServerKeyStore({ spec: MIRROR_KEY, env: opts.env, keychain: opts.keychain, rereadMs: opts.rereadMs, onRotated: () => this.#emit() });
  }

  /** The key of this moment, made (and kept in the keychain) the first time a mirror needs one. */
  currentKey(): MirrorKey {
    return this.#key.current();
  }

  /** Starts a mirror of this cache (the Settings one, `serve --mirror-port`, `hubcap mirror`). */
  async start(opts: MirrorStart): Promise<RunningMirror> {
    const key = this.currentKey();
    const access = new MirrorAccess({ endpoint: this.#o.endpoint, offline: this.#o.offline, recordFile: path.join(this.#o.dataDir, 'mirror-visibility.json') });
    const mirror = await startMirror({
      scan: this.#o.scan,
      key: () => this.currentKey().key,
      access,
      allow: parseAllowList(opts.allow),
      host: opts.host,
      port: opts.port,
      rateLimit: opts.rateLimit ?? 0,
      ...(opts.pullThrough === false ? {} : { pull: { endpoint: this.#o.endpoint, offline: this.#o.offline, download: (r) => this.#download(r) } }),
    });
    return { mirror, key, endpoint: `http://${addressForOthers(opts.host)}:${mirror.port}/${key.key}` };
  }

  /** One download through the engine (a job on the Downloads page), resolved with its bytes once done. */
  async #download(request: DownloadRequest): Promise<number> {
    const { id } = this.#o.downloads.add(request);
    for (;;) {
      const job = this.#o.downloads.get(id);
      if (isTerminal(job.state)) {
        if (job.state !== 'done') throw new ApiError(job.error?.code ?? 'CANCELLED', job.error?.message ?? `The download was ${job.state}.`);
        return job.bytesDone;
      }
      await new Promise((r) => setTimeout(r, 100));
    }
  }

  view(): MirrorView {
    const s = this.#o.settings();
    const running = this.#running;
    const key = this.#key.peek();
    return {
      enabled: s.enabled,
      running: running !== null,
      error: this.#error,
      endpoint: running ? running.server.endpoint.replace(running.server.key.key, maskKey(this.currentKey().key)) : null,
      warning: exposureWarning(running?.settings.host ?? s.host),
      key: key ? { masked: maskKey(key.key), source: key.source } : null,
      interfaces: mirrorInterfaces(),
      figures: running?.server.mirror.stats() ?? NO_FIGURES,
    };
  }

  /** The endpoint with the key in full, to paste to others. */
  endpoint(): { endpoint: string } {
    const running = this.#running;
    if (!running) throw new ApiError('NOT_AVAILABLE', 'Turn on sharing first: the endpoint names the port it listens on.');
    return { endpoint: running.server.endpoint.replace(running.server.key.key, this.currentKey().key) };
  }

  regenerate(): MirrorView {
    this.#key.regenerate();
    this.#emit();
    return this.view();
  }

  /** Settings › Share models on this network followed from now on (long-lived processes only): started, stopped, or restarted elsewhere. */
  follow(events: Pick<EventBus, 'when'>): void {
    this.#follower.follow(events);
  }

  async #restart(want: MirrorSettings): Promise<boolean> {
    await this.#stop();
    this.#error = null;
    if (want.enabled) {
      try {
        const server = await this.start({ host: want.host, port: want.port, allow: want.allow, rateLimit: want.rateLimit, pullThrough: want.pullThrough });
        this.#running = { server, settings: { ...want } };
        // The figures move with every request: the card hears of them at most every 2 s.
        this.#figuresTimer = setInterval(() => {
          const now = JSON.stringify(server.mirror.stats());
          if (now !== this.#lastFigures) this.#emit();
        }, FIGURES_MS);
        this.#figuresTimer.unref();
      } catch (error) {
        this.#error = listenFailure(error, { port: want.port, host: want.host }, 'Sharing');
      }
    }
    this.#emit();
    return this.#running !== null;
  }

  async #stop(): Promise<void> {
    if (this.#figuresTimer) clearInterval(this.#figuresTimer);
    this.#figuresTimer = null;
    const running = this.#running;
    this.#running = null;
    await running?.server.mirror.close();
  }

  #emit(): void {
    const view = this.view();
    this.#lastFigures = JSON.stringify(view.figures);
    this.#o.onChange(view);
  }

  async close(): Promise<void> {
    await this.#follower.close();
    await this.#stop();
  }
}
