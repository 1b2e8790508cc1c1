/**
 * The Hubcap core: plain Node, no electron. It owns the state (settings, hub status) and
 * implements every request of the contract once; the shell and `hubcap serve` only carry it.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { AppInfo, Capabilities, HubStatus, Place, SettingsPatch, SettingsView } from '../contract/api';
import { ApiError } from '../contract/errors';
import { resolveCacheDir, resolveEnvCacheDir, expandUserPath, type LocationEnv } from '../cache/location';
import { resolveEndpoint, type ResolvedEndpoint } from '../hub/endpoint';
import { offlineFromEnv } from '../hub/env-flags';
import { HubReachabilityMonitor } from '../hub/reachability';
import { SettingsStore, type SettingsBackendFactory } from '../settings/store';
import type { StoredSettings } from '../settings/schema';
import { appVersion, packageVersion } from '../app/versions';
import { PRODUCT_NAME } from '../app/data-dir';
import { EventBus } from './events';
import { HubHttp } from '../hub/http';
import { AccountService } from '../auth/account';
import { osKeychain, type Keychain } from '../auth/keychain';
import { DownloadManager } from '../downloads/manager';
import { fileQueueStore } from '../downloads/queue-store';
import { scanCache } from '../cache/scan';
import * as cacheService from '../cache/service';
import { LocalRegistry } from '../library/registry';
import { libraryItems, SummaryCache } from '../library/service';
import { searchModels } from '../hub/search';
import { modelDetails } from '../hub/model-details';
import type { Handlers } from './handlers';
import { InferenceService, type RunnableModel } from '../inference/service';
import type { HostLauncher } from '../inference/host-client';
import { remoteGgufHeaders } from '../inference/remote-header';
import { resolveCommit } from '../hub/resolve';
import { parseRepoId, type RepoType } from '../hub/repo-id';
import { blobIdOf, listTree } from '../hub/tree';
import { repoDir } from '../cache/layout';
import type { ExpectedHashes } from '../cache/verify';
import { writeTreeRecord } from '../cache/tree-record';
import { cleanStaleTempFiles } from '../app/atomic-write';
import type { FitEstimate, LoadSettings } from '../contract/inference';

/** What only the desktop shell can do; absent under `hubcap serve`. */
export interface DesktopActions {
  openPath(absolutePath: string): Promise<void>;
  openExternal(url: string): Promise<void>;
  writeClipboard(text: string): Promise<void>;
  /** Shows one file selected in the file manager. */
  showItemInFolder(absolutePath: string): void;
  /** The native "open files" dialog: absolute paths, or none if cancelled. */
  pickModelFiles(): Promise<string[]>;
}

export interface CoreOptions {
  transport: 'electron' | 'serve';
  env: Readonly<Record<string, string | undefined>>;
  homeDir: string;
  platform: NodeJS.Platform;
  dataDir: string;
  settingsBackend: SettingsBackendFactory;
  desktop?: DesktopActions;
  runtime?: { electron: string | null; chrome: string | null };
  fetch?: typeof fetch;
  /** Probe the Hub at start (off in unit tests that must make no request). */
  probeHubOnStart?: boolean;
  /** The OS keychain by default; tests pass a stand-in. */
  keychain?: Keychain;
  /** Starts the inference host process; without it, local inference says it is not available. */
  inferenceLauncher?: HostLauncher;
  /** Stop the inference host this long after nothing is loaded (tests shorten it). */
  inferenceHostIdleMs?: number;
}

export class Core {
  readonly events = new EventBus();
  readonly handlers: Handlers;
  readonly settings: SettingsStore;
  readonly endpoint: ResolvedEndpoint;
  readonly hub: HubReachabilityMonitor;
  readonly hubHttp: HubHttp;
  readonly downloads: DownloadManager;
  readonly account: AccountService;
  readonly library: LocalRegistry;
  readonly inference: InferenceService;
  readonly #summaries = new SummaryCache();
  readonly #opts: CoreOptions;
  readonly #loc: LocationEnv;

  constructor(opts: CoreOptions) {
    this.#opts = opts;
    this.#loc = { env: opts.env, homeDir: opts.homeDir };
    // Private data: this user's only; temp files an interrupted atomic write left behind go.
    protectDataDir(opts.dataDir);
    this.endpoint = resolveEndpoint(opts.env);
    this.settings = SettingsStore.open(opts.dataDir, opts.settingsBackend);
    this.hub = new HubReachabilityMonitor({
      endpoint: () => this.endpoint.url,
      offline: () => this.isOffline(),
      fetch: opts.fetch ?? fetch,
      onChange: () => this.events.emit('hub.status', this.hubStatus()),
    });
    if (opts.probeHubOnStart !== false) void this.hub.check();
    this.account = new AccountService({
      keychain: opts.keychain ?? osKeychain(),
      loc: this.#loc,
      endpoint: this.endpoint.url,
      offline: () => this.isOffline(),
      ...(opts.fetch ? { fetch: opts.fetch } : {}),
      onChange: (view) => {
        this.events.emit('account.changed', view);
        this.events.emit('hub.status', this.hubStatus());
      },
    });
    this.hubHttp = new HubHttp({
      endpoint: this.endpoint.url,
      token: () => this.account.currentToken(),
      offline: () => this.isOffline(),
      ...(opts.fetch ? { fetch: opts.fetch } : {}),
    });
    this.downloads = new DownloadManager({
      hub: this.hubHttp,
      cacheDir: () => this.cacheDir(),
      store: fileQueueStore(opts.dataDir),
      env: opts.env,
      maxConcurrentFiles: () => this.settings.get().downloadConcurrency,
      connections: () => this.settings.get().downloadConnections,
      onChange: (job) => {
        if (job.state === 'done') this.#scan = null;
        this.events.emit('downloads.changed', job);
      },
    });
    // Warm the cache scan once the core is up, so the Cache page opens at once.
    setTimeout(() => {
      try {
        this.scan();
      } catch {
        // an unreadable cache is reported when the page asks
      }
    }, 50).unref();
    this.library = new LocalRegistry({
      dataDir: opts.dataDir,
      // A dropped file already in the cache is recognised: LFS blobs are named by their sha256.
      cacheBlobsOfSize: (size) =>
        this.scan().repos.flatMap((r) =>
          r.revisions.flatMap((v) =>
            v.files
              .filter((f) => f.size === size && /\/[0-9a-f]{64}$/.test(f.blobPath))
              .map((f) => ({ sha256: f.blobPath.slice(-64), label: `${r.id}/${f.path}` })),
          ),
        ),
    });
    this.inference = new InferenceService({
      launcher:
        opts.inferenceLauncher ??
        (() => {
          throw new ApiError('NOT_AVAILABLE', 'Local inference is not available in this build.');
        }),
      dataDir: opts.dataDir,
      emit: (name, payload) => this.events.emit(name, payload),
      resolve: (key) => this.#runnable(key),
      loadDefaults: () => this.settings.get().loadDefaults,
      unloadAfterMs: () => this.settings.get().unloadAfterMinutes * 60_000,
      ...(opts.inferenceHostIdleMs !== undefined ? { hostIdleMs: opts.inferenceHostIdleMs } : {}),
      onUsed: (item) => this.#markUsed(item),
    });
    this.handlers = this.#buildHandlers();
  }

  async #runnable(key: string): Promise<RunnableModel> {
    const item = (await libraryItems(this.scan(), this.library, this.#summaries)).find((i) => i.key === key);
    if (!item) throw new ApiError('NOT_FOUND', 'That model is no longer in your Library.');
    return { key: item.key, name: item.name, kind: item.kind, path: item.path, missing: item.missing };
  }

  /** "Last used": the registry for local checkpoints; the blob's access time for the cache, as huggingface_hub reads it. */
  #markUsed(item: RunnableModel): void {
    if (item.key.startsWith('local:')) {
      this.library.markUsed(item.key.slice('local:'.length));
      return;
    }
    try {
      fs.utimesSync(item.path, new Date(), fs.statSync(item.path).mtime);
      this.#scan = null;
    } catch {
      // "last used" is a courtesy; a blob we cannot touch changes nothing else
    }
  }

  readonly #remoteFits = new Map<string, FitEstimate>();

  /** Fit of a GGUF on the Hub from its header; kept per commit and file, since the answer cannot change. */
  async #galleryFit(repo: string, revision: string, file: string): Promise<FitEstimate> {
    // The model page passes the commit it shows; a branch or tag costs one model-info call.
    const sha = await resolveCommit(this.hubHttp, parseRepoId(repo), revision);
    const cacheKey = `${repo}@${sha}:${file}`;
    const known = this.#remoteFits.get(cacheKey);
    if (known) return known;
    const header = await remoteGgufHeaders(this.hubHttp, repo, sha, file);
    try {
      const fit = await this.inference.fitFile(header.path);
      this.#remoteFits.set(cacheKey, fit);
      return fit;
    } finally {
      header.dispose();
    }
  }

  get dataDir(): string {
    return this.#opts.dataDir;
  }

  cacheDir(): string {
    return resolveCacheDir(this.settings.get().hubCacheDir, this.#loc).path;
  }

  #scan: { root: string; at: number; scan: ReturnType<typeof scanCache> } | null = null;

  /** Files the OS asked us to open (file association, a second launch): added, and the UI told. */
  async openFiles(paths: string[]): Promise<void> {
    const models = paths.filter((p) => /\.(gguf|safetensors)$/i.test(p));
    if (!models.length) return;
    const result = await this.library.add(models);
    this.events.emit('library.opened', result);
  }

  /**
   * The last scan, kept warm: a big cache takes a large part of a second to walk, and the Cache page
   * should open at once. Reused for a few seconds (other tools may change the cache), dropped when
   * our own downloads or deletes change it, and always redone when the user asks to rescan.
   */
  scan(fresh = false): ReturnType<typeof scanCache> {
    const root = this.cacheDir();
    if (!fresh && this.#scan && this.#scan.root === root && Date.now() - this.#scan.at < 10_000) return this.#scan.scan;
    const scan = scanCache(root);
    this.#scan = { root, at: Date.now(), scan };
    return scan;
  }

  /** What cleanup must leave alone: partials someone writes now, snapshots our jobs fill. */
  async #inUse(scan: ReturnType<typeof scanCache>): Promise<cacheService.InUse> {
    const root = scan.root;
    const snapshots = this.downloads
      .activeSnapshots()
      .filter((s) => s.cacheDir === root)
      .map((s) => path.join(repoDir(root, s.repo), 'snapshots', s.commit));
    return { partials: await cacheService.activePartials(scan), snapshots };
  }

  /** The Hub's blob names at a commit, for verifying copies no record describes (online only). */
  #expectedHashes(type: RepoType, id: string): ExpectedHashes | undefined {
    if (this.isOffline()) return undefined;
    return async (commit) => new Map((await listTree(this.hubHttp, { type, id }, commit)).map((f) => [f.path, blobIdOf(f)]));
  }

  async close(): Promise<void> {
    this.inference.close();
    await this.downloads.close();
  }

  /** Reachability plus who is signed in (for the status bar). */
  hubStatus(): HubStatus {
    const current = this.account?.view().current;
    const info = current?.info;
    return {
      ...this.hub.status,
      account: current ? { signedIn: true, name: info?.user ?? `token from ${current.source}`, role: info?.role ?? 'unknown' } : { signedIn: false },
    };
  }

  isOffline(): boolean {
    return offlineFromEnv(this.#opts.env) || this.settings.get().offline;
  }

  get capabilities(): Capabilities {
    const desktop = Boolean(this.#opts.desktop);
    return { openInFileManager: desktop, openExternal: desktop, clipboard: desktop };
  }

  settingsView(): SettingsView {
    const s = this.settings.get();
    const env = this.#opts.env;
    const resolved = resolveCacheDir(s.hubCacheDir, this.#loc);
    const envOffline = offlineFromEnv(env);
    return {
      hubCache: {
        path: resolved.path,
        source: resolved.source,
        withoutSetting: resolveEnvCacheDir(this.#loc),
        exists: isDirectory(resolved.path),
      },
      dataDir: this.#opts.dataDir,
      settingsFile: this.settings.file,
      endpoint: { url: this.endpoint.url, source: this.endpoint.source },
      offline: {
        enabled: envOffline || s.offline,
        source: envOffline ? 'HF_HUB_OFFLINE' : s.offline ? 'setting' : 'default',
      },
      theme: s.theme,
      downloads: { concurrency: s.downloadConcurrency, connections: s.downloadConnections },
      inference: { unloadAfterMinutes: s.unloadAfterMinutes, loadDefaults: s.loadDefaults },
      warnings: [...this.settings.warnings],
    };
  }

  appInfo(): AppInfo {
    const runtime = this.#opts.runtime ?? { electron: null, chrome: null };
    return {
      name: PRODUCT_NAME,
      transport: this.#opts.transport,
      platform: `${this.#opts.platform} ${process.arch}`,
      versions: {
        app: appVersion,
        electron: runtime.electron,
        chrome: runtime.chrome,
        node: process.versions.node,
        nodeLlamaCpp: packageVersion('node-llama-cpp'),
      },
      capabilities: this.capabilities,
    };
  }

  async updateSettings(patch: SettingsPatch): Promise<SettingsView> {
    const next: Partial<StoredSettings> = {};
    if (patch.hubCacheDir !== undefined) {
      next.hubCacheDir = patch.hubCacheDir === null ? null : this.#checkCacheDir(patch.hubCacheDir);
    }
    if (patch.offline !== undefined) {
      if (!patch.offline && offlineFromEnv(this.#opts.env)) {
        throw new ApiError('NOT_AVAILABLE', 'Offline mode is forced by HF_HUB_OFFLINE in the environment; unset it to go online.');
      }
      next.offline = patch.offline;
    }
    if (patch.theme !== undefined) next.theme = patch.theme;
    if (patch.downloadConcurrency !== undefined) next.downloadConcurrency = patch.downloadConcurrency;
    if (patch.downloadConnections !== undefined) next.downloadConnections = patch.downloadConnections;
    if (patch.unloadAfterMinutes !== undefined) next.unloadAfterMinutes = patch.unloadAfterMinutes;
    if (patch.loadDefaults !== undefined) next.loadDefaults = patch.loadDefaults;
    const before = this.isOffline();
    this.settings.update(next);
    const view = this.settingsView();
    this.events.emit('settings.changed', view);
    if (before !== this.isOffline()) void this.hub.check();
    return view;
  }

  /** A user-typed cache folder: must be absolute (after ~ expansion) and, if it exists, a writable folder. */
  #checkCacheDir(input: string): string {
    const raw = input.trim();
    const looksAbsolute = path.isAbsolute(raw) || raw === '~' || raw.startsWith('~/') || /^\$\{?\w/.test(raw);
    if (!looksAbsolute) {
      throw new ApiError('INVALID_PATH', `Use a full path for the cache folder (for example ${path.join(this.#opts.homeDir, 'hf-cache')}).`, {
        field: 'hubCacheDir',
      });
    }
    const resolved = expandUserPath(raw, this.#loc);
    let stat: fs.Stats | null = null;
    try {
      stat = fs.statSync(resolved);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') {
        throw new ApiError('INVALID_PATH', `Cannot use ${resolved}: ${(error as Error).message}`, { field: 'hubCacheDir' });
      }
    }
    if (stat && !stat.isDirectory()) {
      throw new ApiError('INVALID_PATH', `${resolved} is a file, not a folder.`, { field: 'hubCacheDir' });
    }
    if (stat) {
      try {
        fs.accessSync(resolved, fs.constants.W_OK);
      } catch {
        throw new ApiError('INVALID_PATH', `Hubcap cannot write to ${resolved}.`, { field: 'hubCacheDir' });
      }
    }
    return resolved;
  }

  #placePath(place: Place | 'cacheRepo' | 'libraryItem', repo?: string): string {
    if (place === 'cacheRepo') return cacheService.findRepo(scanCache(this.cacheDir()), repo ?? '').path;
    return place === 'hubCache' ? this.settingsView().hubCache.path : this.#opts.dataDir;
  }

  #buildHandlers(): Handlers {
    const desktop = this.#opts.desktop;
    return {
      'app.info': async () => this.appInfo(),
      'settings.get': async () => this.settingsView(),
      'settings.update': (patch) => this.updateSettings(patch),
      'hub.status': async () => this.hubStatus(),
      'hub.checkNow': async () => {
        await this.hub.check();
        return this.hubStatus();
      },
      'gallery.search': (input) => searchModels(this.hubHttp, input),
      'gallery.model': ({ repo, revision }) =>
        modelDetails(this.hubHttp, repo, revision, (commit, files) => {
          // Only for repos already in the cache: browsing a model never creates a cache folder.
          const dir = repoDir(this.cacheDir(), parseRepoId(repo));
          if (isDirectory(path.join(dir, 'snapshots'))) writeTreeRecord(dir, commit, files);
        }),
      'library.list': () => libraryItems(this.scan(), this.library, this.#summaries),
      'library.add': ({ paths }) => this.library.add(paths),
      'library.pickFiles': async () => {
        if (!desktop) throw new ApiError('NOT_AVAILABLE', 'The file dialog is a desktop feature; drop files or use the upload button instead.');
        const paths = await desktop.pickModelFiles();
        return paths.length ? this.library.add(paths) : { added: [], skipped: [] };
      },
      'library.relocate': ({ key, mode }) => this.library.relocate(key.slice('local:'.length), mode, path.join(this.dataDir, 'models')),
      'library.remove': async ({ key, deleteFiles }) => {
        await this.library.remove(key.slice('local:'.length), deleteFiles);
        return { removed: true };
      },
      'account.get': async () => this.account.view(),
      'account.login': ({ token, name }) => this.account.login(token, name),
      'account.switch': async ({ name }) => this.account.switchTo(name),
      'account.rename': async ({ from, to }) => this.account.rename(from, to),
      'account.logout': async ({ name }) => this.account.logout(name),
      'account.importTokenFile': () => this.account.importTokenFile(),
      'account.deleteTokenFile': async () => this.account.deleteTokenFile(),
      'places.open': async (input) => {
        const { place } = input;
        if (!desktop) {
          throw new ApiError('NOT_AVAILABLE', 'Opening folders is only available in the desktop app; copy the path instead.');
        }
        if (input.place === 'libraryItem') {
          const item = await this.#runnable(input.key);
          if (item.missing || !fs.existsSync(item.path)) throw new ApiError('INVALID_PATH', `${item.path} is missing.`);
          desktop.showItemInFolder(item.path);
          return { opened: true };
        }
        const target = this.#placePath(place, 'repo' in input ? input.repo : undefined);
        if (!isDirectory(target)) throw new ApiError('INVALID_PATH', `${target} does not exist yet.`);
        await desktop.openPath(target);
        return { opened: true };
      },
      'links.openExternal': async ({ url }) => {
        if (!desktop) throw new ApiError('NOT_AVAILABLE', 'The browser opens links itself under hubcap serve.');
        await desktop.openExternal(url);
        return { opened: true };
      },
      'downloads.list': async () => this.downloads.list(),
      'downloads.start': async (req) =>
        this.downloads.add({
          repoType: req.repoType,
          repo: req.repo,
          revision: req.revision,
          ...(req.commit ? { commit: req.commit } : {}),
          ...(req.files?.length ? { files: req.files } : {}),
          ...(req.patterns?.length ? { patterns: req.patterns } : {}),
          ...(req.force ? { force: true } : {}),
        }),
      'downloads.pause': async ({ id }) => this.downloads.pause(id),
      'downloads.resume': async ({ id }) => this.downloads.resume(id),
      'downloads.retry': async ({ id }) => this.downloads.retry(id),
      'downloads.cancel': ({ id, keepPartial }) => this.downloads.cancel(id, keepPartial),
      'downloads.remove': async ({ id }) => {
        this.downloads.remove(id);
        return { removed: true };
      },
      'cache.scan': async ({ fresh }) => {
        const scan = this.scan(fresh === true);
        return cacheService.overview(scan, await cacheService.activePartials(scan));
      },
      'cache.files': async ({ repo, commit }) => cacheService.revisionFiles(this.scan(), repo, commit),
      'cache.planDelete': async ({ targets }) => {
        const scan = scanCache(this.cacheDir());
        return cacheService.planDelete(scan, targets, await this.#inUse(scan));
      },
      'cache.delete': async ({ targets }) => {
        const scan = scanCache(this.cacheDir());
        const result = cacheService.deleteFromCache(scan, targets, await this.#inUse(scan));
        this.#scan = null;
        return result;
      },
      'cache.verify': ({ repo }) => {
        const [type, id] = [repo.slice(0, repo.indexOf(':')) as RepoType, repo.slice(repo.indexOf(':') + 1)];
        return cacheService.verify(this.cacheDir(), repo, this.#expectedHashes(type, id));
      },
      'cache.repair': async ({ repo }) => {
        const [type, id] = [repo.slice(0, repo.indexOf(':')) as RepoType, repo.slice(repo.indexOf(':') + 1)];
        const { repo: cached, refetch } = await cacheService.repairPlan(this.cacheDir(), repo, this.#expectedHashes(type, id));
        // Downloaded again and verified first; the corrupt bytes are replaced only then.
        return refetch.map(({ commit, files }) => this.downloads.add({ repoType: cached.type, repo: cached.id, revision: commit, files, force: true }));
      },
      'inference.status': async () => this.inference.status(),
      'inference.hardware': ({ refresh }) => this.inference.hardware(refresh === true),
      'inference.fit': ({ key, settings }) => this.inference.fit(key, loadOverrides(settings)),
      'inference.load': ({ key, settings, force }) => this.inference.load(key, loadOverrides(settings), force),
      'inference.unload': () => this.inference.unload(),
      'gallery.fit': ({ repo, revision, path: file }) => this.#galleryFit(repo, revision, file),
      'chat.list': async ({ search }) => this.inference.list(search),
      'chat.get': async ({ id }) => this.inference.get(id),
      'chat.create': async ({ systemPrompt }) => this.inference.create(systemPrompt),
      'chat.update': async ({ id, ...patch }) => this.inference.update(id, stripUndefined(patch)),
      'chat.delete': async ({ id }) => {
        this.inference.delete(id);
        return { deleted: true };
      },
      'chat.send': async ({ id, text, editFrom }) => this.inference.send(id, text, editFrom),
      'chat.regenerate': async ({ id }) => this.inference.regenerate(id),
      'chat.stop': ({ id }) => this.inference.stop(id),
      'clipboard.writeText': async ({ text }) => {
        if (!desktop) throw new ApiError('NOT_AVAILABLE', 'The browser writes the clipboard itself under hubcap serve.');
        await desktop.writeClipboard(text);
        return { copied: true };
      },
    };
  }
}

function stripUndefined<T extends object>(o: T): { [K in keyof T]?: Exclude<T[K], undefined> } {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as { [K in keyof T]?: Exclude<T[K], undefined> };
}

function loadOverrides(settings: { [K in keyof LoadSettings]?: LoadSettings[K] | undefined } | undefined): Partial<LoadSettings> | undefined {
  return settings ? stripUndefined(settings) : undefined;
}

function isDirectory(p: string): boolean {
  try {
    return fs.statSync(p).isDirectory();
  } catch {
    return false;
  }
}

/** The data folder is private (0700), its files 0600; crash leftovers of atomic writes are removed. */
function protectDataDir(dataDir: string): void {
  try {
    fs.mkdirSync(dataDir, { recursive: true, mode: 0o700 });
    fs.chmodSync(dataDir, 0o700);
  } catch {
    // a folder we cannot chmod (another owner, Windows) keeps its mode
  }
  for (const dir of [dataDir, path.join(dataDir, 'conversations')]) {
    cleanStaleTempFiles(dir);
    for (const name of fs.existsSync(dir) ? fs.readdirSync(dir) : []) {
      if (!name.endsWith('.json')) continue;
      try {
        fs.chmodSync(path.join(dir, name), 0o600);
      } catch {
        // best effort, as above
      }
    }
  }
}
