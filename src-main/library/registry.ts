/**
 * Local checkpoints the user added: registered in place (no copy, no symlink, so it works across
 * drives and on Windows), validated by reading their headers, grouped when a GGUF is split
 * (-00001-of-00003), recognised when already registered or already in the cache (size first, then
 * a hash only for same-size candidates), and shown as missing, not crashed on, when a path goes.
 */
import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { ApiError } from '../contract/errors';
import { localItemKey } from '../contract/keys';
import type { OtherApp } from '../contract/apps';
import type { AddResult, LibraryItem, ModelSummary } from '../contract/library';
import { readOwnFileSync, writePrivateFileAtomic } from '../base/atomic-write';
import { sha256File } from '../cache/verify';
import { SPLIT_GGUF, splitModelName } from '../hub/split-gguf';
import { FormatError } from './format-error';
import { readGgufHeader, summarizeGguf } from './gguf-header';
import { readSafetensorsHeader } from './safetensors-header';
import { fileReadAt } from './read-file';
import { copyUntrusted, openUntrusted, type UntrustedOpenOptions } from '../base/untrusted-file';

interface Entry {
  id: string;
  kind: 'gguf' | 'safetensors';
  name: string;
  paths: string[];
  size: number;
  summary: ModelSummary | null;
  sha256: string | null;
  addedAt: string;
  lastUsed: string | null;
  /** Found in another app's folder: used in place, never relocated or deleted. */
  app?: OtherApp;
}

export interface AddOptions {
  /** The app whose folder it is in; its files may have no extension (Ollama's blobs). */
  app?: OtherApp;
  /** A name a person knows it by (Ollama's `model:tag`). */
  name?: string;
}

/**
 * Model files taken from one dropped folder (and its subfolders): a 405B checkpoint is ~200 shards,
 * a big models folder a few hundred files; more than this is not a model folder, and each file is
 * opened and its header read.
 */
export const MAX_FOLDER_FILES = 5_000;

export interface RegistryOptions {
  dataDir: string;
  /** Hubcap's own folder for checkpoints (relocated ones, uploads under serve); default `<dataDir>/models`. */
  managedDir?: string;
  /** Cached blobs by size, to recognise a dropped file that is already in the cache. */
  cacheBlobsOfSize?: (size: number) => { sha256: string; label: string }[];
}

/**
 * Reads a model file's header. The file is someone else's (a drop, another app's folder, the shared
 * cache), so it is opened through untrusted-file: regular files only, links only as `opts` allows.
 */
export async function inspectModelFile(
  file: string,
  opts: UntrustedOpenOptions = {},
): Promise<{ kind: 'gguf' | 'safetensors'; summary: ModelSummary; size: number }> {
  const { fh, stat } = await openUntrusted(file, opts);
  try {
    const size = stat.size;
    const readAt = fileReadAt(fh);
    if (/\.safetensors$/i.test(file)) {
      const h = await readSafetensorsHeader(readAt, size);
      return {
        kind: 'safetensors',
        size,
        summary: { architecture: h.metadata.architecture ?? null, parameters: h.parameters, quantization: null, contextLength: null },
      };
    }
    const s = summarizeGguf(await readGgufHeader(readAt, size));
    return {
      kind: 'gguf',
      size,
      summary: { architecture: s.architecture, parameters: s.parameters, quantization: s.quantization, contextLength: s.contextLength },
    };
  } finally {
    await fh.close();
  }
}

export class LocalRegistry {
  readonly #file: string;
  readonly #o: RegistryOptions;
  #entries: Entry[];

  readonly managedDir: string;

  constructor(opts: RegistryOptions) {
    this.#o = opts;
    this.managedDir = path.resolve(opts.managedDir ?? path.join(opts.dataDir, 'models'));
    this.#file = path.join(opts.dataDir, 'library.json');
    try {
      const parsed = JSON.parse(readOwnFileSync(this.#file)) as { entries?: Entry[] };
      this.#entries = Array.isArray(parsed.entries) ? parsed.entries : [];
    } catch {
      this.#entries = [];
    }
  }

  #save(): void {
    writePrivateFileAtomic(this.#file, JSON.stringify({ version: 1, entries: this.#entries }, null, 1));
  }

  list(): LibraryItem[] {
    return this.#entries.map((e) => ({
      key: localItemKey(e.id),
      source: 'local',
      kind: e.kind,
      name: e.name,
      path: e.paths[0] as string,
      parts: e.paths.length,
      size: e.size,
      summary: e.summary,
      repo: null,
      revision: null,
      addedAt: e.addedAt,
      lastUsed: e.lastUsed,
      missing: !e.paths.every((p) => fs.existsSync(p)),
      inHubcapFolder: this.#isManaged(e.paths),
      foundIn: e.app ?? null,
      // Checked when added: a file that is not a model is never registered.
      problem: null,
    }));
  }

  #isManaged(paths: string[]): boolean {
    return paths.every((p) => path.resolve(p).startsWith(this.managedDir + path.sep));
  }

  /** Files or folders, by absolute path. Each file is added or skipped with one specific reason. */
  async add(inputs: string[], opts: AddOptions = {}): Promise<AddResult> {
    const result: AddResult = { added: [], skipped: [] };
    const files: string[] = [];
    for (const raw of inputs) {
      if (!path.isAbsolute(raw)) {
        result.skipped.push({ path: raw, reason: 'Not a full path.' });
        continue;
      }
      const p = path.resolve(raw);
      let st: fs.Stats;
      try {
        st = await fs.promises.stat(p);
      } catch {
        result.skipped.push({ path: p, reason: 'It does not exist (or cannot be read).' });
        continue;
      }
      if (st.isDirectory()) {
        const { found, truncated } = await findModelFiles(p, MAX_FOLDER_FILES - files.length);
        if (!found.length && !truncated) result.skipped.push({ path: p, reason: 'This folder holds no .gguf or .safetensors file.' });
        if (truncated)
          result.skipped.push({
            path: p,
            reason: `This folder holds more than ${MAX_FOLDER_FILES.toLocaleString('en')} model files; only the first ${found.length.toLocaleString('en')} were looked at. Add its subfolders one by one.`,
          });
        files.push(...found);
      } else if (st.isFile()) {
        if (!opts.app && !/\.(gguf|safetensors)$/i.test(p)) result.skipped.push({ path: p, reason: 'Only .gguf and .safetensors files can be added.' });
        else files.push(p);
      } else result.skipped.push({ path: p, reason: 'Not a regular file.' });
    }
    for (const group of groupParts(files, result)) {
      try {
        const entry = await this.#register(group, opts);
        this.#entries.push(entry);
        result.added.push(this.list().find((i) => i.key === localItemKey(entry.id)) as LibraryItem);
      } catch (error) {
        const reason = error instanceof FormatError || error instanceof ApiError ? error.message : `It could not be read (${(error as Error).message}).`;
        result.skipped.push({ path: group[0] as string, reason });
      }
    }
    if (result.added.length) this.#save();
    return result;
  }

  async #register(paths: string[], opts: AddOptions): Promise<Entry> {
    const real = await Promise.all(paths.map((p) => fs.promises.realpath(p)));
    const known = this.#entries.find((e) => e.paths.some((p) => real.includes(p)));
    if (known) throw new ApiError('CONFLICT', `Already in your Library as ${known.name}.`);
    let size = 0;
    let first: Awaited<ReturnType<typeof inspectModelFile>> | null = null;
    for (const p of real) {
      const info = await inspectModelFile(p);
      size += info.size;
      first ??= info;
    }
    if (!first) throw new ApiError('NOT_FOUND', 'Nothing to add.');
    let sha256: string | null = null;
    // Same bytes as a registered file or a cached blob? Only same-size candidates are hashed.
    if (real.length === 1) {
      const sameSize = this.#entries.filter((e) => e.paths.length === 1 && e.size === size);
      const cached = this.#o.cacheBlobsOfSize?.(size) ?? [];
      if (sameSize.length || cached.length) {
        sha256 = await sha256File(real[0] as string);
        for (const e of sameSize) {
          e.sha256 ??= await sha256File(e.paths[0] as string).catch(() => null);
          if (e.sha256 === sha256) throw new ApiError('CONFLICT', `The same file is already in your Library as ${e.name}.`);
        }
        const inCache = cached.find((c) => c.sha256 === sha256);
        if (inCache) throw new ApiError('CONFLICT', `The same file is already in the Hugging Face cache (${inCache.label}).`);
      }
    }
    const base = path.basename(real[0] as string);
    return {
      id: randomUUID(),
      kind: first.kind,
      name: opts.name ?? (real.length > 1 ? splitModelName(base) : base),
      paths: real,
      size,
      summary: first.summary,
      sha256,
      addedAt: new Date().toISOString(),
      lastUsed: null,
      ...(opts.app ? { app: opts.app } : {}),
    };
  }

  /** Records that a checkpoint was just loaded. */
  markUsed(id: string): void {
    const entry = this.#entries.find((e) => e.id === id);
    if (!entry) return;
    entry.lastUsed = new Date().toISOString();
    this.#save();
  }

  /**
   * Copies or moves a checkpoint's files into `<managedDir>/<id>/` (the user's choice; by default files
   * stay where they were added). All or nothing: a failure removes what was written and leaves the
   * entry pointing at the originals. A move across drives is a copy, then the originals are deleted.
   */
  async relocate(id: string, mode: 'copy' | 'move'): Promise<LibraryItem> {
    const entry = this.#entries.find((e) => e.id === id);
    if (!entry) throw new ApiError('NOT_FOUND', 'That checkpoint is not in your Library.');
    const folder = path.join(this.managedDir, entry.id);
    if (this.#isManaged(entry.paths)) throw new ApiError('CONFLICT', `${entry.name} is already in Hubcap's folder.`);
    if (entry.app) throw new ApiError('CONFLICT', `${entry.name} belongs to another app; Hubcap uses it where it is and never moves it.`);
    const missing = entry.paths.find((p) => !fs.existsSync(p));
    if (missing) throw new ApiError('INVALID_PATH', `${missing} is missing, so it cannot be ${mode === 'copy' ? 'copied' : 'moved'}.`);
    await fs.promises.mkdir(folder, { recursive: true });
    const written: string[] = [];
    try {
      for (const src of entry.paths) {
        const dest = path.join(folder, path.basename(src));
        const tmp = `${dest}.partial`;
        let renamed = false;
        if (mode === 'move') {
          try {
            await fs.promises.rename(src, dest);
            renamed = true;
          } catch (error) {
            if ((error as NodeJS.ErrnoException).code !== 'EXDEV') throw error;
          }
        }
        if (!renamed) {
          await copyUntrusted(src, tmp, fs.constants.COPYFILE_EXCL);
          await fs.promises.rename(tmp, dest);
        }
        written.push(dest);
      }
    } catch (error) {
      // Undo: moved files go back, copies go away; the entry is untouched.
      for (const [i, dest] of written.entries()) {
        const src = entry.paths[i] as string;
        if (mode === 'move' && !fs.existsSync(src)) await fs.promises.rename(dest, src).catch(() => undefined);
        else await fs.promises.rm(dest, { force: true });
      }
      await fs.promises.rm(folder, { recursive: true, force: true });
      const code = (error as NodeJS.ErrnoException).code;
      throw new ApiError(code === 'ENOSPC' ? 'DISK_FULL' : 'INVALID_PATH', `Could not ${mode} ${entry.name} into Hubcap's folder: ${(error as Error).message}`);
    }
    const originals = entry.paths;
    entry.paths = written;
    this.#save();
    if (mode === 'move') for (const p of originals) await fs.promises.rm(p, { force: true });
    return this.list().find((i) => i.key === localItemKey(entry.id)) as LibraryItem;
  }

  /** Forgets a checkpoint; with deleteFiles its files go too (the UI asks first). */
  async remove(id: string, deleteFiles: boolean): Promise<void> {
    const entry = this.#entries.find((e) => e.id === id);
    if (!entry) throw new ApiError('NOT_FOUND', 'That checkpoint is not in your Library.');
    if (deleteFiles && entry.app)
      throw new ApiError('CONFLICT', `${entry.name} belongs to another app: remove it there. Hubcap can take it out of your Library only.`);
    if (deleteFiles) for (const p of entry.paths) await fs.promises.rm(p, { force: true });
    this.#entries = this.#entries.filter((e) => e !== entry);
    this.#save();
  }
}

/**
 * Model files below a folder, at most `limit` of them and 3 levels down. The folder is read lazily
 * (opendir), so the cap holds inside one folder too: a folder of 100k files is not listed whole.
 */
async function findModelFiles(root: string, limit: number): Promise<{ found: string[]; truncated: boolean }> {
  const found: string[] = [];
  let truncated = false;
  const walk = async (dir: string, depth: number): Promise<void> => {
    if (depth > 3 || truncated) return;
    let handle: fs.Dir;
    try {
      handle = await fs.promises.opendir(dir);
    } catch {
      return;
    }
    const subdirs: string[] = [];
    try {
      for await (const e of handle) {
        const p = path.join(dir, e.name);
        if (e.isDirectory() && !e.name.startsWith('.')) subdirs.push(p);
        else if (e.isFile() && /\.(gguf|safetensors)$/i.test(e.name)) {
          if (found.length >= limit) {
            truncated = true;
            break;
          }
          found.push(p);
        }
        if (subdirs.length > limit) break;
      }
    } finally {
      await handle.close().catch(() => undefined);
    }
    for (const d of subdirs) await walk(d, depth + 1);
  };
  await walk(root, 0);
  return { found, truncated };
}

/** Split GGUFs (-00001-of-00003) become one group, all parts present and in order, or a specific error. */
function groupParts(files: string[], result: AddResult): string[][] {
  const groups = new Map<string, { total: number; parts: Map<number, string> }>();
  const single: string[][] = [];
  for (const f of [...new Set(files)]) {
    const m = SPLIT_GGUF.exec(f);
    if (!m) {
      single.push([f]);
      continue;
    }
    const key = `${m[1]}|${m[3]}`;
    const g = groups.get(key) ?? { total: Number(m[3]), parts: new Map<number, string>() };
    g.parts.set(Number(m[2]), f);
    groups.set(key, g);
  }
  for (const [key, g] of groups) {
    const missing = Array.from({ length: g.total }, (_, i) => i + 1).filter((n) => !g.parts.has(n));
    if (missing.length) {
      result.skipped.push({
        path: key.split('|')[0] as string,
        reason: `Part ${missing.join(', ')} of ${g.total} is missing: add every part of a split GGUF together.`,
      });
      continue;
    }
    single.push(Array.from({ length: g.total }, (_, i) => g.parts.get(i + 1) as string));
  }
  return single;
}
