/**
 * Reads other apps' model folders by their layouts (locations.ts): every GGUF and safetensors
 * file, what its path or its app's records say it is on the Hub, and its header. Read only: never
 * writes into a scanned folder. Async file system calls all the way (the core's thread stays free),
 * bounded (MAX_FILES), cancellable, with progress. A symlink that leads out of a scanned root is
 * not followed, and the report says so; an unreadable folder or a bad Ollama manifest is a note,
 * never a failure of the scan.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { AppFolder, FoundModel, HubHint, OtherApp } from '../contract/apps';
import { SHA256_HEX } from '../contract/ids';
import { SHA256_RE } from '../hub/blob-id';
import { SPLIT_GGUF } from '../hub/split-gguf';
import { isValidRepoId } from '../hub/repo-id';
import { scanCache } from '../cache/scan';
import { inspectModelFile } from '../library/registry';
import { FormatError } from '../library/format-error';
import { ApiError } from '../contract/errors';
import { COMFYUI_KINDS, type AppLocation } from './locations';
import { describeKind, isInside as inside, lstatUntrusted, readUntrusted } from '../base/untrusted-file';

/** More model files than any real set of apps holds; beyond it the scan stops and says so. */
export const MAX_FILES = 20_000;
/** Folder depth below a root: LM Studio needs 3, ComfyUI's nested loras a few more. */
const MAX_DEPTH = 8;
/** An Ollama manifest is a few hundred bytes of JSON. */
const MAX_MANIFEST_BYTES = 64 << 10;
const MODEL_FILE = /\.(gguf|safetensors)$/i;
const OLLAMA_MODEL_LAYER = 'application/vnd.ollama.image.model';
/** An OCI layer digest, as Ollama's manifests name their blobs. */
const OCI_DIGEST_RE = new RegExp(`^sha256:(${SHA256_HEX})$`);

export interface ScanOptions {
  signal?: AbortSignal;
  onProgress?: (p: { phase: 'listing' | 'reading'; done: number; total: number; current: string | null }) => void;
}

interface Candidate {
  app: OtherApp;
  path: string;
  name: string;
  hint: HubHint | null;
  sha256: string | null;
  format?: 'gguf' | 'safetensors';
}

/**
 * Files below `dir` (relative paths), not following links out of `root`; notes what was skipped.
 * `realRoot` is the root with its own links resolved, found once at the top of the walk.
 */
async function walk(root: string, dir: string, depth: number, out: string[], notes: string[], signal?: AbortSignal, realRoot?: string): Promise<void> {
  signal?.throwIfAborted();
  if (depth > MAX_DEPTH || out.length >= MAX_FILES) return;
  const real = realRoot ?? (await fs.promises.realpath(root).catch(() => root));
  let entries: fs.Dirent[];
  try {
    entries = await fs.promises.readdir(dir, { withFileTypes: true });
  } catch (error) {
    notes.push(`Skipped ${dir}: ${(error as NodeJS.ErrnoException).code === 'EACCES' ? 'permission denied' : (error as Error).message}.`);
    return;
  }
  for (const e of entries.sort((a, b) => a.name.localeCompare(b.name))) {
    const full = path.join(dir, e.name);
    if (e.isSymbolicLink()) {
      let target: string;
      try {
        target = await fs.promises.realpath(full);
      } catch {
        notes.push(`Skipped ${full}: a broken link.`);
        continue;
      }
      if (!inside(real, target)) {
        notes.push(`Did not follow ${full}: it links out of this folder (to ${target}).`);
        continue;
      }
      const st = await fs.promises.stat(full).catch(() => null);
      if (st?.isFile() && MODEL_FILE.test(e.name)) out.push(full);
      continue;
    }
    if (e.isDirectory()) await walk(root, full, depth + 1, out, notes, signal, real);
    else if (e.isFile() && MODEL_FILE.test(e.name)) out.push(full);
    if (out.length >= MAX_FILES) {
      notes.push(`Stopped after ${MAX_FILES.toLocaleString('en-US')} model files.`);
      return;
    }
  }
}

/** Split GGUF parts after the first belong to it: listed once, as the first part. */
function isLaterPart(file: string): boolean {
  const m = SPLIT_GGUF.exec(path.basename(file));
  return Boolean(m && Number(m[2]) > 1);
}

function hintFromRepo(repo: string, file: string | null, from: HubHint['from'], quant: string | null = null): HubHint | null {
  return repo.includes('/') && isValidRepoId(repo) ? { repo, file, quant, from } : null;
}

async function publisherRepo(loc: AppLocation, notes: string[], signal?: AbortSignal): Promise<Candidate[]> {
  const files: string[] = [];
  await walk(loc.root, loc.root, 0, files, notes, signal);
  return files.map((f) => {
    const parts = path.relative(loc.root, f).split(path.sep);
    const repo = parts.length >= 3 ? `${parts[0]}/${parts[1]}` : null;
    return { app: loc.app, path: f, name: path.basename(f), hint: repo ? hintFromRepo(repo, parts.slice(2).join('/'), 'path') : null, sha256: null };
  });
}

async function userRepo(loc: AppLocation, notes: string[], signal?: AbortSignal): Promise<Candidate[]> {
  const files: string[] = [];
  await walk(loc.root, loc.root, 0, files, notes, signal);
  return files.map((f) => {
    const parts = path.relative(loc.root, f).split(path.sep);
    // download-model.py names the folder `<user>_<repo>`; Hub user names have no underscore.
    const m = parts.length >= 2 ? /^([^_]+)_(.+)$/.exec(parts[0] as string) : null;
    return { app: loc.app, path: f, name: path.basename(f), hint: m ? hintFromRepo(`${m[1]}/${m[2]}`, parts.slice(1).join('/'), 'path') : null, sha256: null };
  });
}

async function plainFiles(loc: AppLocation, notes: string[], signal?: AbortSignal, under: readonly string[] = ['']): Promise<Candidate[]> {
  const files: string[] = [];
  for (const sub of under) {
    const dir = path.join(loc.root, sub);
    if (sub && !fs.existsSync(dir)) continue;
    await walk(loc.root, dir, 0, files, notes, signal);
  }
  return files.map((f) => ({ app: loc.app, path: f, name: path.basename(f), hint: null, sha256: null }));
}

/** llama.cpp's cache: the HF layout (models--org--name) it writes now, and the flat files it wrote before. */
async function hfCache(loc: AppLocation, notes: string[], signal?: AbortSignal): Promise<Candidate[]> {
  const out: Candidate[] = [];
  const cache = scanCache(loc.root);
  for (const w of cache.warnings) notes.push(w.message);
  for (const repo of cache.repos) {
    for (const rev of repo.revisions) {
      for (const f of rev.files) {
        if (!MODEL_FILE.test(f.path)) continue;
        const name = path.basename(f.blobPath);
        out.push({
          app: loc.app,
          path: path.join(rev.snapshotPath, ...f.path.split('/')),
          name: path.basename(f.path),
          hint: hintFromRepo(repo.id, f.path, 'hf-cache'),
          sha256: f.linked && SHA256_RE.test(name) ? name : null,
        });
      }
    }
  }
  let flat: fs.Dirent[] = [];
  try {
    flat = await fs.promises.readdir(loc.root, { withFileTypes: true });
  } catch {
    // no folder: nothing flat either
  }
  signal?.throwIfAborted();
  for (const e of flat)
    if (e.isFile() && MODEL_FILE.test(e.name)) out.push({ app: loc.app, path: path.join(loc.root, e.name), name: e.name, hint: null, sha256: null });
  return out;
}

/**
 * Why an Ollama blob cannot be used, or null: it must be a regular file, or a link to one that stays
 * inside Ollama's folder (a store moved by the user keeps its links relative; a link out of it could
 * be planted). A FIFO or device is never opened.
 */
async function blobProblem(root: string, blob: string): Promise<string | null> {
  const st = await lstatUntrusted(blob);
  if (!st) return 'is missing';
  if (st.isFile()) return null;
  if (!st.isSymbolicLink()) return `is ${describeKind(st)}`;
  const target = await fs.promises.realpath(blob).catch(() => null);
  if (!target) return 'is a broken link';
  const realRoot = await fs.promises.realpath(root).catch(() => root);
  if (!inside(realRoot, target)) return `links out of Ollama's folder (to ${target}), so it is not followed`;
  const tst = await lstatUntrusted(target);
  return tst?.isFile() ? null : `is a link to ${tst ? describeKind(tst) : 'nothing'}`;
}

/** Ollama: each manifest's model layer is a GGUF blob named by its sha256; `hf.co/<user>/<repo>:<quant>` names the Hub repo. */
async function ollama(loc: AppLocation, notes: string[], signal?: AbortSignal): Promise<Candidate[]> {
  const manifests: string[] = [];
  const dir = path.join(loc.root, 'manifests');
  const collect = async (d: string, depth: number): Promise<void> => {
    signal?.throwIfAborted();
    let entries: fs.Dirent[];
    try {
      entries = await fs.promises.readdir(d, { withFileTypes: true });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') notes.push(`Skipped ${d}: ${(error as Error).message}.`);
      return;
    }
    for (const e of entries) {
      const full = path.join(d, e.name);
      if (e.isDirectory() && depth < 4) await collect(full, depth + 1);
      else if (e.isFile() && depth === 3) manifests.push(full);
    }
  };
  await collect(dir, 0);
  const out: Candidate[] = [];
  const seen = new Set<string>();
  for (const m of manifests.sort()) {
    const [registry, namespace, model, tag] = path.relative(dir, m).split(path.sep) as [string, string, string, string];
    let digest: string | undefined;
    try {
      const text = (await readUntrusted(m, MAX_MANIFEST_BYTES, { root: loc.root, followLinks: true })).toString('utf8');
      const json = JSON.parse(text) as { layers?: { mediaType?: unknown; digest?: unknown }[] };
      const layer = Array.isArray(json.layers) ? json.layers.find((l) => l?.mediaType === OLLAMA_MODEL_LAYER) : undefined;
      digest = typeof layer?.digest === 'string' ? layer.digest : undefined;
      if (!digest) throw new Error('it has no model layer');
    } catch (error) {
      notes.push(
        `Skipped the Ollama manifest ${path.relative(loc.root, m)}: ${error instanceof SyntaxError ? 'it is not valid JSON' : (error as Error).message}.`,
      );
      continue;
    }
    const hex = OCI_DIGEST_RE.exec(digest)?.[1];
    if (!hex) {
      notes.push(`Skipped the Ollama manifest ${path.relative(loc.root, m)}: its model layer's digest is not a sha256.`);
      continue;
    }
    const blob = path.join(loc.root, 'blobs', `sha256-${hex}`);
    const problem = await blobProblem(loc.root, blob);
    if (problem) {
      notes.push(`Skipped ${registry}/${namespace}/${model}:${tag}: its model blob ${problem}.`);
      continue;
    }
    const name = registry === 'registry.ollama.ai' && namespace === 'library' ? `${model}:${tag}` : `${registry}/${namespace}/${model}:${tag}`;
    const fromHub = registry === 'hf.co' || registry === 'huggingface.co';
    // One blob can have several tags (`latest` and `Q4_K_M`): listed once, by its first name.
    if (seen.has(blob)) continue;
    seen.add(blob);
    out.push({
      app: loc.app,
      path: blob,
      name,
      hint: fromHub ? hintFromRepo(`${namespace}/${model}`, null, 'ollama-manifest', tag === 'latest' ? null : tag) : null,
      sha256: hex,
      format: 'gguf',
    });
  }
  return out;
}

async function candidates(loc: AppLocation, notes: string[], signal?: AbortSignal): Promise<Candidate[]> {
  switch (loc.layout) {
    case 'publisher-repo':
      return publisherRepo(loc, notes, signal);
    case 'user_repo':
      return userRepo(loc, notes, signal);
    case 'ollama':
      return ollama(loc, notes, signal);
    case 'hf-cache':
      return hfCache(loc, notes, signal);
    case 'comfyui':
      return plainFiles(loc, notes, signal, COMFYUI_KINDS);
    case 'files':
      return plainFiles(loc, notes, signal);
  }
}

/** What the layout of the folder holding `file` says of it (no header read): for a path given alone, as to `hubcap adopt`. */
export async function hintForPath(locations: AppLocation[], file: string): Promise<HubHint | null> {
  const resolved = path.resolve(file);
  for (const loc of locations) {
    if (!inside(loc.root, resolved) || !fs.existsSync(loc.root)) continue;
    const found = (await candidates(loc, [])).find((c) => path.resolve(c.path) === resolved);
    if (found) return found.hint;
  }
  return null;
}

/** Reads every location: the folders (with notes) and the model files in them, headers read. */
export async function scanApps(
  locations: AppLocation[],
  opts: ScanOptions = {},
): Promise<{ folders: AppFolder[]; models: Omit<FoundModel, 'libraryKey'>[]; roots: Map<string, string> }> {
  const folders: AppFolder[] = [];
  const found: (Candidate & { root: string })[] = [];
  for (const loc of locations) {
    opts.signal?.throwIfAborted();
    const st = await fs.promises.stat(loc.root).catch(() => null);
    const folder: AppFolder = { app: loc.app, root: loc.root, because: loc.because, exists: Boolean(st?.isDirectory()), notes: [] };
    folders.push(folder);
    if (!folder.exists) continue;
    opts.onProgress?.({ phase: 'listing', done: folders.length, total: locations.length, current: loc.root });
    for (const c of await candidates(loc, folder.notes, opts.signal)) if (!isLaterPart(c.path)) found.push({ ...c, root: loc.root });
  }
  const models: Omit<FoundModel, 'libraryKey'>[] = [];
  const roots = new Map<string, string>();
  let done = 0;
  for (const { root, ...c } of found) {
    opts.signal?.throwIfAborted();
    opts.onProgress?.({ phase: 'reading', done: done++, total: found.length, current: c.path });
    const format = c.format ?? (/\.safetensors$/i.test(c.path) ? 'safetensors' : 'gguf');
    roots.set(c.path, root);
    try {
      // Ollama's blobs have no extension; inspectModelFile reads them as GGUF by default.
      const info = await inspectModelFile(c.path, { root, followLinks: true });
      models.push({ ...c, format: info.kind, size: info.size, summary: info.summary, problem: null });
    } catch (error) {
      const size = (await lstatUntrusted(c.path).catch(() => null))?.size ?? 0;
      const problem = error instanceof FormatError || error instanceof ApiError ? error.message : `Its header could not be read (${(error as Error).message}).`;
      models.push({ ...c, format, size, summary: null, problem });
    }
  }
  return { folders, models, roots };
}
