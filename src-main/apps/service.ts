/**
 * Other apps' models, as one capability: scan the known folders (with the user's consent: only
 * when asked), report duplicates, add found files to the Library in place, confirm a file's Hub
 * origin by hash, and add it to the Hugging Face cache without a download.
 */
import fs from 'node:fs';
import path from 'node:path';
import {
  APP_NAMES,
  type AdoptMode,
  type AdoptResult,
  type AppsProgress,
  type AppsReport,
  type DuplicateGroup,
  type FoundModel,
  type Identification,
  type OtherApp,
  type ReclaimPlan,
  type ReclaimResult,
  type ReclaimStep,
} from '../contract/apps';
import { ApiError } from '../contract/errors';
import { isTerminal, type DownloadJob, type DownloadRequest } from '../contract/downloads';
import { parseItemKey } from '../contract/keys';
import type { CacheIndex } from '../cache/index';
import type { HubHttp } from '../hub/http';
import { SHA256_RE } from '../hub/blob-id';
import { SPLIT_GGUF } from '../hub/split-gguf';
import type { Library } from '../library/library';
import { repoDir } from '../cache/layout';
import { writeTreeRecord } from '../cache/tree-record';
import { placeBlob, shareBlob, sourceFileSync } from './adopt';
import { FileHashes } from './hashes';
import { identify } from './identify';
import { appLocations, userLocation, type AppLocation, type AppLayout } from './locations';
import { hintForPath, scanApps } from './scan';
import { readUntrustedSync } from '../base/untrusted-file';

export interface AppsDeps {
  /** The remembered hashes (shared with publishing, which hashes the same kind of files). */
  hashes?: FileHashes;
  homeDir: string;
  platform: NodeJS.Platform;
  env: Readonly<Record<string, string | undefined>>;
  dataDir: string;
  cacheDir: () => string;
  cache: CacheIndex;
  hub: HubHttp;
  offline: () => boolean;
  library: Library;
  download: (request: DownloadRequest) => DownloadJob;
  job: (id: string) => DownloadJob;
  onProgress?: (p: AppsProgress) => void;
}

/** A folder the user adds: its layout guessed from what is in it. */
function guessLayout(root: string): AppLayout {
  const has = (p: string) => fs.existsSync(path.join(root, p));
  if (has('manifests') && has('blobs')) return 'ollama';
  if (fs.readdirSync(root).some((n) => n.startsWith('models--'))) return 'hf-cache';
  if (['checkpoints', 'loras', 'unet'].some(has)) return 'comfyui';
  return 'files';
}

export class AppsService {
  readonly #d: AppsDeps;
  readonly #hashes: FileHashes;
  #last: AppsReport | null = null;

  /** The remembered hashes of files in other apps' folders (publishing hashes the same kind of files). */
  get hashes(): FileHashes {
    return this.#hashes;
  }
  /** The app folder each file of the last scan was found in: its links may lead only inside it. */
  #roots = new Map<string, string>();

  constructor(deps: AppsDeps) {
    this.#d = deps;
    this.#hashes = deps.hashes ?? new FileHashes(deps.dataDir);
  }

  /** The last scan's report (null before the first): model updates check its files of known Hub origin. */
  lastReport(): AppsReport | null {
    return this.#last;
  }

  locations(extra: string[] = []): AppLocation[] {
    const { platform, homeDir, env } = this.#d;
    let lmStudioSettings: string | null = null;
    try {
      // LM Studio's own file: bounded, and never a FIFO waited on.
      lmStudioSettings = readUntrustedSync(path.join(homeDir, '.lmstudio', 'settings.json'), 1 << 20).toString('utf8');
    } catch {
      // no LM Studio settings: its default folder
    }
    const known = appLocations({ platform, home: homeDir, env, lmStudioSettings });
    const added = extra.map((root) => {
      if (!path.isAbsolute(root)) throw new ApiError('INVALID_PATH', `${root} is not a full path.`);
      const st = fs.statSync(root, { throwIfNoEntry: false });
      if (!st?.isDirectory()) throw new ApiError('INVALID_PATH', `${root} is not a folder.`);
      return userLocation(path.resolve(root), guessLayout(root));
    });
    return [...known, ...added];
  }

  #scanning: AbortController | null = null;

  /** Stops a scan in progress (it then fails with CANCELLED); false when none runs. */
  cancelScan(): boolean {
    if (!this.#scanning) return false;
    this.#scanning.abort();
    return true;
  }

  async scan(opts: { folders?: string[]; hash?: boolean } = {}): Promise<AppsReport> {
    this.#scanning?.abort();
    const controller = (this.#scanning = new AbortController());
    try {
      return await this.#scan({ ...opts, signal: controller.signal });
    } catch (error) {
      if (controller.signal.aborted) throw new ApiError('CANCELLED', 'The scan was stopped; nothing was changed.');
      throw error;
    } finally {
      if (this.#scanning === controller) this.#scanning = null;
    }
  }

  async #scan({ folders = [], hash = false, signal }: { folders?: string[]; hash?: boolean; signal: AbortSignal }): Promise<AppsReport> {
    const { folders: seen, models, roots } = await scanApps(this.locations(folders), { signal, onProgress: (p) => this.#d.onProgress?.(p) });
    this.#roots = roots;
    const libraryByPath = new Map(this.#d.library.registry.list().map((i) => [i.path, i.key] as const));
    const found: FoundModel[] = models.map((m) => ({ ...m, libraryKey: libraryByPath.get(m.path) ?? null }));
    // Hashing confirms duplicates; without it only names that are hashes (Ollama's, the caches') count.
    if (hash) {
      const sizes = this.#sizesInCache();
      const count = new Map<number, number>();
      for (const m of found) count.set(m.size, (count.get(m.size) ?? 0) + 1);
      const toHash = found.filter((m) => !m.sha256 && ((count.get(m.size) ?? 0) > 1 || sizes.has(m.size)));
      await this.#hashes.batch(async () => {
        for (const [i, m] of toHash.entries()) {
          signal?.throwIfAborted();
          this.#d.onProgress?.({ phase: 'hashing', done: i, total: toHash.length, current: m.path });
          m.sha256 = await this.#hashes.sha256(m.path, undefined, signal, { root: this.#rootFor(m.path), followLinks: true }).catch(() => null);
        }
      });
    } else {
      for (const m of found) {
        const st = m.sha256 ? null : fs.statSync(m.path, { throwIfNoEntry: false });
        if (st) m.sha256 = this.#hashes.known(m.path, st) ?? null;
      }
    }
    const duplicates = this.#duplicates(found);
    this.#last = {
      folders: seen,
      models: found,
      duplicates,
      duplicatedBytes: duplicates.reduce((a, d) => a + d.wasted, 0),
      hashed: hash,
      scannedAt: new Date().toISOString(),
    };
    return this.#last;
  }

  #sizesInCache(): Set<number> {
    const sizes = new Set<number>();
    for (const repo of this.#d.cache.scan().repos) for (const rev of repo.revisions) for (const f of rev.files) sizes.add(f.size);
    return sizes;
  }

  /** Same sha256 in two places, counting hard links to one file once; the HF cache's blobs included. */
  #duplicates(found: FoundModel[]): DuplicateGroup[] {
    const groups = new Map<string, { size: number; paths: { app: OtherApp | 'hf-cache'; path: string }[]; inodes: Set<string> }>();
    const add = (sha256: string, size: number, app: OtherApp | 'hf-cache', p: string) => {
      const st = fs.statSync(p, { throwIfNoEntry: false });
      if (!st) return;
      const g = groups.get(sha256) ?? { size, paths: [], inodes: new Set<string>() };
      const inode = `${st.dev}:${st.ino}`;
      if (!g.paths.some((x) => x.path === p)) g.paths.push({ app, path: p });
      g.inodes.add(inode);
      groups.set(sha256, g);
    };
    for (const m of found) if (m.sha256) add(m.sha256, m.size, m.app, m.path);
    for (const repo of this.#d.cache.scan().repos)
      for (const rev of repo.revisions)
        for (const f of rev.files) {
          const name = path.basename(f.blobPath);
          if (f.linked && SHA256_RE.test(name) && groups.has(name)) add(name, f.size, 'hf-cache', f.blobPath);
        }
    return [...groups.entries()]
      .filter(([, g]) => g.inodes.size > 1)
      .map(([sha256, g]) => ({ sha256, size: g.size, paths: g.paths, wasted: g.size * (g.inodes.size - 1) }))
      .sort((a, b) => b.wasted - a.wasted);
  }

  /** Found files into the Library, used where they are; a split GGUF with all its parts. */
  async addToLibrary(paths: string[]): Promise<{ added: number; keys: string[]; skipped: { path: string; reason: string }[] }> {
    const byPath = new Map((this.#last?.models ?? []).map((m) => [m.path, m]));
    const keys: string[] = [];
    const skipped: { path: string; reason: string }[] = [];
    for (const p of paths) {
      const m = byPath.get(p);
      if (!m) {
        skipped.push({ path: p, reason: 'It was not found by the last scan; scan again.' });
        continue;
      }
      const result = await this.#d.library.add(this.#parts(p), { app: m.app, name: m.name });
      keys.push(...result.added.map((a) => a.key));
      skipped.push(...result.skipped);
    }
    return { added: keys.length, keys, skipped };
  }

  #parts(file: string): string[] {
    const m = SPLIT_GGUF.exec(path.basename(file));
    if (!m) return [file];
    const total = Number(m[3]);
    return Array.from({ length: total }, (_, i) => path.join(path.dirname(file), `${m[1]}-${String(i + 1).padStart(5, '0')}-of-${m[3]}.gguf`));
  }

  /** The app folder `file` is in: the last scan's, else a known folder holding it, else its own folder. */
  #rootFor(file: string): string {
    const scanned = this.#roots.get(file);
    if (scanned) return scanned;
    const resolved = path.resolve(file);
    const loc = this.locations().find((l) => resolved.startsWith(l.root + path.sep));
    return loc?.root ?? path.dirname(resolved);
  }

  async #hintFor(file: string) {
    const scanned = this.#last?.models.find((m) => m.path === file);
    return scanned ? scanned.hint : hintForPath(this.locations(), file);
  }

  async identify(req: { path: string; repo?: string; file?: string; revision: string }): Promise<Identification> {
    return (await this.identifyWithListing(req)).id;
  }

  async identifyWithListing(req: { path: string; repo?: string; file?: string; revision: string }) {
    if (this.#d.offline()) throw new ApiError('OFFLINE', 'Offline mode is on: confirming a file against the Hub needs the Hub.');
    const hint = await this.#hintFor(req.path);
    const repo = req.repo ?? hint?.repo;
    if (!repo) throw new ApiError('VALIDATION_FAILED', `Nothing tells which Hub repo ${path.basename(req.path)} is from: name the repo.`);
    const sameRepo = !req.repo || req.repo === hint?.repo;
    return identify(this.#d.hub, this.#hashes, {
      path: req.path,
      repo,
      file: req.file ?? (sameRepo ? hint?.file : null) ?? null,
      quant: sameRepo ? (hint?.quant ?? null) : null,
      revision: req.revision,
      root: this.#rootFor(req.path),
    });
  }

  adopt(req: { path: string; repo?: string; file?: string; revision: string; mode: AdoptMode; dryRun: boolean }): Promise<AdoptResult> {
    return this.adoptAll({ ...req, paths: [req.path] });
  }

  /**
   * Several files of one repo (an LM Studio folder's quantizations, say) into one snapshot: each
   * confirmed by hash first, nothing written unless all are; then one download writes the links.
   */
  async adoptAll(req: { paths: string[]; repo?: string; file?: string; revision: string; mode: AdoptMode; dryRun: boolean }): Promise<AdoptResult> {
    const found: Awaited<ReturnType<AppsService['identifyWithListing']>>[] = [];
    for (const p of req.paths)
      found.push(await this.identifyWithListing({ path: p, repo: req.repo, file: req.paths.length === 1 ? req.file : undefined, revision: req.revision }));
    const first = found[0];
    if (!first) throw new ApiError('VALIDATION_FAILED', 'No file to add.');
    const other = found.find((f) => f.id.repo !== first.id.repo || f.id.commit !== first.id.commit);
    if (other)
      throw new ApiError('CONFLICT', `${path.basename(other.id.path)} is from ${other.id.repo}, not ${first.id.repo}: add files of one repo at a time.`);
    const cacheDir = this.#d.cacheDir();
    const steps = [];
    for (const f of found) steps.push(await placeBlob(cacheDir, f.id, req.mode, req.dryRun, this.#rootFor(f.id.path)));
    const result: AdoptResult = {
      repo: first.id.repo,
      commit: first.id.commit,
      cacheDir,
      steps,
      bytesWritten: req.dryRun ? 0 : steps.reduce((a, s) => a + s.bytes, 0),
    };
    if (req.dryRun) return result;
    // The rest, as any download: snapshot links, ref; the blobs are there, so no byte is fetched.
    const files = [...new Set(found.map((f) => f.id.file))];
    const job = this.#d.download({ repoType: 'model', repo: first.id.repo, revision: req.revision, commit: first.id.commit, files });
    const done = await this.#settled(job.id);
    if (done.state !== 'done') throw new ApiError(done.error?.code ?? 'INTERNAL', done.error?.message ?? `Adding to the cache ended as ${done.state}.`);
    // As snapshot_download records it: Python's offline mode then knows which files the snapshot lacks.
    writeTreeRecord(repoDir(cacheDir, { type: 'model', id: first.id.repo }), first.id.commit, first.listing);
    this.#d.cache.invalidate();
    // The Library now has it from the cache: the app's copy stops being listed twice (only forgotten, never deleted).
    const adopted = new Set(found.map((f) => path.resolve(f.id.path)));
    for (const item of this.#d.library.registry.list()) {
      const key = parseItemKey(item.key);
      if (item.foundIn && key?.source === 'local' && adopted.has(path.resolve(item.path))) await this.#d.library.registry.remove(key.id, false);
    }
    return result;
  }

  /** From the last scan: each cache blob that another app holds the same bytes of, on the same volume. */
  reclaimPlan(): ReclaimPlan {
    if (!this.#last) throw new ApiError('CONFLICT', 'Scan first: the plan is made from what the last scan found.');
    const steps: ReclaimStep[] = [];
    const notes: string[] = [];
    for (const d of this.#last.duplicates) {
      const cached = d.paths.filter((p) => p.app === 'hf-cache');
      const others = d.paths.filter((p): p is { app: OtherApp; path: string } => p.app !== 'hf-cache');
      if (!cached.length) {
        notes.push(
          `${path.basename(others[0]?.path ?? '')} is in ${others.map((o) => APP_NAMES[o.app]).join(' and ')}: Hubcap does not change other apps' folders; remove a copy in one of them.`,
        );
        continue;
      }
      // Only regular files really inside their app's folder are shared; links are never acted on.
      const usable = others.flatMap((o) => {
        const src = sourceFileSync(o.path, this.#rootFor(o.path));
        if (typeof src === 'string') {
          notes.push(`${o.path} is not used: ${src}.`);
          return [];
        }
        return [{ ...o, st: src }];
      });
      for (const c of cached) {
        const blob = fs.lstatSync(c.path, { throwIfNoEntry: false });
        if (!blob?.isFile()) continue;
        // Its bytes are held by another name too (a hard link to an app's file): replacing it frees nothing.
        if (blob.nlink > 1) continue;
        const source = usable.find((o) => o.st.dev === blob.dev && o.st.ino !== blob.ino);
        if (source) steps.push({ sha256: d.sha256, blob: c.path, source: source.path, app: source.app, bytes: d.size });
        else if (usable.length && !usable.some((o) => o.st.dev === blob.dev && o.st.ino === blob.ino))
          notes.push(`${path.basename(usable[0]?.path ?? '')} and the cache's copy are on different drives: they cannot share their bytes.`);
      }
    }
    return { steps, bytes: steps.reduce((a, s) => a + s.bytes, 0), notes };
  }

  /**
   * Executes the plan the last scan gives, confirming each source's bytes again first. By clone
   * only, unless the user allows hard links (then the cache's copy shares the app's bytes: an app
   * rewriting its file in place changes the cache). A step that cannot be done is a note, and its
   * blob stays as it was.
   */
  async reclaim(opts: { allowLink?: boolean } = {}): Promise<ReclaimResult> {
    const plan = this.reclaimPlan();
    const done: ReclaimResult['steps'] = [];
    const notes: string[] = [];
    const cacheDir = this.#d.cacheDir();
    for (const step of plan.steps) {
      const root = this.#rootFor(step.source);
      if (!step.blob.startsWith(cacheDir + path.sep)) continue;
      const repoFolder = path.basename(path.dirname(path.dirname(step.blob)));
      try {
        // The other app may have changed its file since the scan: the bytes must still be these.
        if ((await this.#hashes.sha256(step.source, undefined, undefined, { root, followLinks: true })) !== step.sha256) {
          notes.push(`${step.source} changed since the scan; its blob was left as it was.`);
          continue;
        }
        const how = await shareBlob(cacheDir, repoFolder, step.blob, { path: step.source, root, sha256: step.sha256 }, opts.allowLink === true);
        done.push({ ...step, how });
      } catch (error) {
        notes.push(`${path.basename(step.blob)} was left as it was: ${(error as Error).message}`);
      }
    }
    this.#d.cache.invalidate();
    return { steps: done, freed: done.reduce((a, s) => a + s.bytes, 0), notes };
  }

  async #settled(id: string): Promise<DownloadJob> {
    for (;;) {
      const job = this.#d.job(id);
      if (isTerminal(job.state)) return job;
      await new Promise((r) => setTimeout(r, 25));
    }
  }
}
