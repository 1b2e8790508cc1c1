/**
 * The Hubcap core, as a composition root: it builds the services in dependency order (each from
 * what exists before it), wires their events onto one bus, and merges each capability's slice of
 * handlers into the one table the contract requires. No feature logic lives here: it is in the
 * capability folders, each beside its handlers. Plain Node, no electron.
 */
import path from 'node:path';
import type { Handlers } from '../contract/handlers';
import type { HubStatus } from '../contract/hub';
import { isTerminal, type DownloadRequest } from '../contract/downloads';
import { appsHandlers } from '../apps/handlers';
import { FileHashes } from '../apps/hashes';
import { AppsService } from '../apps/service';
import { appName, ExportService } from '../export/service';
import { exportHandlers } from '../export/handlers';
import { localDirHandlers } from '../downloads/local-dir-handlers';
import { engineFetchInto } from '../downloads/local-dir-fetch';
import { AccountService } from '../account/account';
import { accountHandlers } from '../account/handlers';
import { osKeychain, type Keychain } from '../account/keychain';
import { cacheHandlers } from '../cache/handlers';
import { CacheIndex } from '../cache/index';
import { storeDisabledBy, storeDisabledByEnv } from '../cache/store-publish';
import { storeState } from '../cache/shared-store';
import { repoDir, snapshotsDir } from '../cache/layout';
import { writeTreeRecord } from '../cache/tree-record';
import { findRepo } from '../cache/service';
import { cachedModelDetails } from '../cache/presence';
import { downloadHandlers } from '../downloads/handlers';
import { DownloadManager } from '../downloads/manager';
import { fileQueueStore, memoryQueueStore } from '../downloads/queue-store';
import { hubHandlers } from '../hub/handlers';
import { readHfEnv, type Env, type HfEnv } from '../hub/hf-env';
import { HubHttp } from '../hub/http';
import { HubReachabilityMonitor } from '../hub/reachability';
import { inferenceHandlers } from '../inference/handlers';
import type { HostLauncher } from '../inference/host-client';
import { HubFit } from '../inference/hub-fit';
import { InferenceService } from '../inference/service';
import { chatHandlers } from '../chat/handlers';
import { ChatService } from '../chat/service';
import { libraryHandlers } from '../library/handlers';
import { localApiHandlers } from '../localapi/handlers';
import { LocalApiService } from '../localapi/service';
import { mirrorHandlers } from '../mirror/handlers';
import { MirrorService } from '../mirror/service';
import { uploadWorkerFactory } from '../publish/commit-runner';
import { publishHandlers } from '../publish/handlers';
import { PublishService } from '../publish/service';
import { Library } from '../library/library';
import { settingsHandlers } from '../settings/handlers';
import { isDirectory, SettingsService } from '../settings/service';
import type { SettingsBackendFactory } from '../settings/store';
import { protectDataDir } from '../settings/data-dir';
import { shellHandlers, type DesktopActions } from '../desktop/handlers';
import { ApiError } from '../contract/errors';
import { EventBus } from './events';
import { updatesHandlers } from '../updates/handlers';
import { UpdatesService } from '../updates/service';
import { rememberHashesIn } from '../cache/payload-hash';
import { keepChunkRecordsIn } from '../downloads/xet-chunk-records';
import { useHashThread } from '../downloads/hasher';

export type { DesktopActions };

export interface CoreOptions {
  transport: 'electron' | 'serve' | 'cli';
  env: Env;
  homeDir: string;
  platform: NodeJS.Platform;
  dataDir: string;
  settingsBackend: SettingsBackendFactory;
  desktop?: DesktopActions;
  runtime?: { electron: string | null; chrome: string | null };
  fetch?: typeof fetch;
  /** Probe the Hub at start (off in unit tests and the CLI, which must make no request unasked). */
  probeHubOnStart?: boolean;
  /** The OS keychain by default; tests pass a stand-in. */
  keychain?: Keychain;
  /** Starts the inference host process; without it, local inference says it is not available. */
  inferenceLauncher?: HostLauncher;
  /** Stop the inference host this long after nothing is loaded (tests shorten it). */
  inferenceHostIdleMs?: number;
  /** The CLI: a cache folder for this run only, and downloads that are not the app's queue. */
  cacheDirOverride?: string;
  ephemeralQueue?: boolean;
  /** The built upload worker (`publish-worker.js`); without it, the TypeScript source runs through tsx. */
  uploadWorker?: string;
  /** Upload stall cut-off and retries (tests shorten them). */
  publishStallMs?: number;
}

export class Core {
  readonly events = new EventBus();
  readonly hf: HfEnv;
  readonly settings: SettingsService;
  readonly hubHttp: HubHttp;
  readonly hub: HubReachabilityMonitor;
  readonly account: AccountService;
  readonly cache: CacheIndex;
  readonly downloads: DownloadManager;
  readonly library: Library;
  readonly inference: InferenceService;
  readonly chats: ChatService;
  readonly apps: AppsService;
  readonly exports: ExportService;
  readonly publish: PublishService;
  readonly localApi: LocalApiService;
  /** The Hub mirror of this cache: the Settings switch, and every mirror this process starts. */
  readonly mirror: MirrorService;
  /** Model updates (#26): checks, details, updating by the download engine, pins. */
  readonly updates: UpdatesService;
  readonly handlers: Handlers;
  readonly dataDir: string;

  constructor(opts: CoreOptions) {
    this.dataDir = opts.dataDir;
    protectDataDir(opts.dataDir);
    const hf = (this.hf = readHfEnv(opts.env, opts.homeDir));
    const fetchImpl = opts.fetch ? { fetch: opts.fetch } : {};
    const offline = () => this.settings.isOffline();

    this.settings = new SettingsService({
      dataDir: opts.dataDir,
      homeDir: opts.homeDir,
      backend: opts.settingsBackend,
      hf,
      onChange: (view) => {
        this.events.emit('settings.changed', view);
        void this.localApi?.apply();
        void this.mirror?.apply();
      },
      onOfflineChange: () => void this.hub.check(),
      sharedStore: (dir) => ({ state: storeState(dir), disabledBy: storeDisabledBy(opts.env) }),
    });
    const cacheDir = () => opts.cacheDirOverride ?? this.settings.cacheDir();
    const keychain = opts.keychain ?? osKeychain();
    this.account = new AccountService({
      keychain,
      hf,
      endpoint: hf.endpoint.url,
      offline,
      ...fetchImpl,
      onChange: (view) => {
        this.events.emit('account.changed', view);
        this.events.emit('hub.status', this.hubStatus());
      },
    });
    this.hubHttp = new HubHttp({
      endpoint: hf.endpoint.url,
      token: () => this.account.currentToken(),
      offline,
      timeoutMs: hf.downloadTimeoutMs,
      etagTimeoutMs: hf.etagTimeoutMs,
      onHubAnswer: (outcome) => this.hub.observe(outcome),
      ...fetchImpl,
    });
    this.hub = new HubReachabilityMonitor({
      endpoint: () => hf.endpoint.url,
      offline,
      fetch: opts.fetch ?? fetch,
      onChange: () => this.events.emit('hub.status', this.hubStatus()),
    });
    this.cache = new CacheIndex(cacheDir);
    // Blobs found right by hash are remembered across runs (by inode, size and times), so trusting present bytes costs one read (#24.4).
    rememberHashesIn(path.join(opts.dataDir, 'blob-hashes.json'));
    keepChunkRecordsIn(path.join(opts.dataDir, 'xet-chunks'));
    useHashThread(hf.hubcap.hashThread);
    this.downloads = new DownloadManager({
      hub: this.hubHttp,
      cacheDir,
      store: opts.ephemeralQueue ? memoryQueueStore() : fileQueueStore(opts.dataDir),
      disableSymlinks: hf.disableSymlinks,
      disableXet: hf.disableXet,
      // The shared blob store is used where Python made it; a plain cache stays plain (#24.3).
      sharedStore: () => ({ disabled: storeDisabledByEnv(opts.env), create: this.settings.get().createSharedStore }),
      stallTimeoutMs: hf.downloadTimeoutMs,
      maxConcurrentFiles: () => this.settings.get().downloadConcurrency,
      connections: () => this.settings.get().downloadConnections,
      onChange: (job) => {
        if (job.state === 'done') this.cache.invalidate();
        this.events.emit('downloads.changed', job);
        this.updates?.onDownload(job);
      },
    });
    this.library = new Library({ dataDir: opts.dataDir, cache: this.cache });
    this.inference = new InferenceService({
      launcher:
        opts.inferenceLauncher ??
        (() => {
          throw new ApiError('NOT_AVAILABLE', 'Local inference is not available in this build.');
        }),
      emit: (name, payload) => this.events.emit(name, payload),
      resolve: (key) => this.library.runnable(key),
      onUsed: (model) => this.library.markUsed(model),
      loadDefaults: () => this.settings.get().loadDefaults,
      unloadAfterMs: () => this.settings.get().unloadAfterMinutes * 60_000,
      ...(opts.inferenceHostIdleMs !== undefined ? { hostIdleMs: opts.inferenceHostIdleMs } : {}),
    });
    this.chats = new ChatService({ dataDir: opts.dataDir, inference: this.inference, emit: (name, payload) => this.events.emit(name, payload) });

    const hashes = new FileHashes(opts.dataDir);
    this.apps = new AppsService({
      hashes,
      homeDir: opts.homeDir,
      platform: opts.platform,
      env: opts.env,
      dataDir: opts.dataDir,
      cacheDir,
      cache: this.cache,
      hub: this.hubHttp,
      offline,
      library: this.library,
      download: (request) => this.downloads.add(request),
      job: (id) => this.downloads.get(id),
      onProgress: (p) => this.events.emit('apps.progress', p),
    });
    this.exports = new ExportService({ cache: this.cache, dataDir: opts.dataDir, locations: () => this.apps.locations() });
    this.publish = new PublishService({
      hub: this.hubHttp,
      token: () => this.account.currentToken(),
      tokenSource: () => this.account.view().current?.source ?? null,
      library: this.library,
      hashes,
      worker: uploadWorkerFactory(opts.uploadWorker),
      onChange: (job) => this.events.emit('publish.changed', job),
      ...(opts.publishStallMs !== undefined ? { stallMs: opts.publishStallMs } : {}),
    });

    this.localApi = new LocalApiService({
      inference: this.inference,
      items: () => this.library.items(),
      keychain,
      env: opts.env,
      settings: () => this.settings.get().localApi,
      onChange: (view) => this.events.emit('localApi.changed', view),
    });
    this.mirror = new MirrorService({
      scan: (fresh) => this.cache.scan(fresh),
      endpoint: hf.endpoint.url,
      offline,
      dataDir: opts.dataDir,
      keychain,
      env: opts.env,
      downloads: { add: (request) => this.downloads.add(request), get: (id) => this.downloads.get(id) },
      settings: () => this.settings.get().mirror,
      onChange: (view) => this.events.emit('mirror.changed', view),
    });

    this.updates = new UpdatesService({
      dataDir: opts.dataDir,
      offline,
      // Checks go without the token; only repos that answer nothing without it get it (hub/http.ts places it).
      anonymous: new HubHttp({ endpoint: hf.endpoint.url, token: () => null, offline, timeoutMs: hf.downloadTimeoutMs, ...fetchImpl }),
      signedIn: this.hubHttp,
      scan: (fresh) => this.cache.scan(fresh),
      invalidateCache: () => this.cache.invalidate(),
      download: (request) => this.downloads.add(request),
      job: (id) => this.downloads.list().find((j) => j.id === id) ?? null,
      loadedKeys: () => {
        const loaded = this.inference.loadedModel();
        return loaded ? [loaded.key] : [];
      },
      activeSnapshots: () => this.downloads.activeSnapshotDirs(cacheDir()),
      outsideUses: () => this.exports.records.uses(appName),
      onChange: (view) => this.events.emit('updates.changed', view),
      found: () => this.apps.lastReport()?.models ?? [],
    });

    this.handlers = {
      ...shellHandlers({
        transport: opts.transport,
        platform: opts.platform,
        runtime: opts.runtime,
        desktop: opts.desktop,
        folders: { hubCache: cacheDir, dataDir: () => opts.dataDir, cacheRepo: (key) => findRepo(this.cache.scan(true), key).path },
        itemFile: (key) => this.library.item(key),
      }),
      ...settingsHandlers(this.settings),
      ...hubHandlers({
        http: this.hubHttp,
        status: () => this.hubStatus(),
        check: () => this.hub.check(),
        // Only for repos already in the cache: browsing a model never creates a cache folder.
        onListing: (repo, commit, files) => {
          const dir = repoDir(cacheDir(), repo);
          if (isDirectory(snapshotsDir(dir))) writeTreeRecord(dir, commit, files);
        },
        offlineDetails: (repo, revision) => cachedModelDetails(this.cache.scan(), repo, revision, hf.endpoint.url),
      }),
      ...downloadHandlers(this.downloads),
      ...cacheHandlers({
        index: this.cache,
        activeSnapshots: () => this.downloads.activeSnapshotDirs(cacheDir()),
        hub: this.hubHttp,
        download: (request: DownloadRequest) => this.downloads.add(request),
        cacheDir,
        downloadsRunning: () => this.downloads.list().some((j) => !isTerminal(j.state)),
        useCacheDir: (dir) => void this.settings.update({ hubCacheDir: dir }),
        shell: this.hf.shell,
        outsideUses: () => this.exports.records.uses(appName),
        onCacheMoved: (from, to) => this.exports.records.cacheMoved(from, to),
      }),
      ...libraryHandlers(this.library, opts.desktop ? { pickFiles: () => (opts.desktop as DesktopActions).pickModelFiles() } : {}),
      ...accountHandlers(this.account),
      ...inferenceHandlers(this.inference, new HubFit(this.hubHttp, this.inference)),
      ...chatHandlers(this.chats),
      ...appsHandlers(this.apps),
      ...publishHandlers(this.publish),
      ...localApiHandlers(this.localApi),
      ...mirrorHandlers(this.mirror),
      ...exportHandlers(this.exports),
      ...updatesHandlers(this.updates),
      ...localDirHandlers({
        hub: this.hubHttp,
        cacheDir,
        fetchInto: engineFetchInto(this.hubHttp),
        onProgress: (p) => this.events.emit('localDir.progress', p),
      }),
    };

    this.cache.warm();
    // The CLI's one-shot commands never open a port; `hubcap api` starts its own.
    if (opts.transport !== 'cli') {
      void this.localApi.apply();
      void this.mirror.apply();
      this.updates.startBackground();
    }
    if (opts.probeHubOnStart !== false) void this.hub.check();
  }

  /** Reachability plus who is signed in (for the status bar). */
  hubStatus(): HubStatus {
    const current = this.account.view().current;
    const info = current?.info;
    return {
      ...this.hub.status,
      account: current ? { signedIn: true, name: info?.user ?? `token from ${current.source}`, role: info?.role ?? 'unknown' } : { signedIn: false },
    };
  }

  async close(): Promise<void> {
    this.updates.close();
    await this.localApi.close();
    await this.mirror.close();
    this.inference.close();
    await this.downloads.close();
  }
}
