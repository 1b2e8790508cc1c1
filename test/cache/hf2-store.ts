/**
 * Caches with huggingface_hub 2.0's shared blob store, built by Python's own code (hf2_store.py):
 * the real layout, manifests, modes and locks, not a copy of them.
 */
import { createHash } from 'node:crypto';
import { hfPython, runHfPython } from '../helpers/hf-python';
import { commitOf, sha256 } from '../helpers/python-cache';

const SCRIPT = new URL('./hf2_store.py', import.meta.url).pathname;

export interface StoreFile {
  path: string;
  data: Buffer;
  /** Stored with Xet: the file goes to the shared store under this hash. */
  xet?: boolean;
}

export interface StoreRepo {
  folder: string;
  commit: string;
  refs?: string[];
  files: StoreFile[];
}

/** A stand-in Xet hash for some bytes (the store only needs 64 hex that name one content). */
export function xetHashOf(data: Buffer): string {
  return createHash('sha256').update('xet:').update(data).digest('hex');
}

export async function pyBuild(cache: string, repos: StoreRepo[], env: Record<string, string> = {}): Promise<void> {
  const spec = repos.map((r) => ({
    folder: r.folder,
    commit: r.commit,
    refs: r.refs ?? ['main'],
    files: r.files.map((f) => ({ path: f.path, hex: f.data.toString('hex'), xet: f.xet ? xetHashOf(f.data) : null })),
  }));
  const r = await runHfPython([SCRIPT, 'build', cache, JSON.stringify(spec)], env);
  if (r.code !== 0) throw new Error(`hf2_store.py build failed: ${r.stderr}`);
}

export interface PyScan {
  size_on_disk: number;
  repos: Record<string, number>;
  revisions: string[];
  warnings: string[];
}

export async function pyScan(cache: string): Promise<PyScan> {
  const r = await runHfPython([SCRIPT, 'scan', cache]);
  if (r.code !== 0) throw new Error(`scan_cache_dir failed: ${r.stderr}`);
  return JSON.parse(r.stdout) as PyScan;
}

/** Python's offline hf_hub_download of one file: the sha256 of what it gets, or its error. */
export async function pyLoad(cache: string, repo: string, file: string): Promise<string> {
  const r = await runHfPython([SCRIPT, 'load', cache, repo, file], { HF_HUB_OFFLINE: '1' });
  return r.code === 0 ? r.stdout.trim() : `error: ${r.stderr.trim().split('\n').pop() ?? ''}`;
}

/** The `hf` command line of huggingface_hub 2.0 (cache rm, cache prune…) on this cache. */
export async function hfCli(cache: string, args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return runHfPython(['-m', 'huggingface_hub.cli.hf', ...args], { HF_HUB_CACHE: cache });
}

export { commitOf, sha256, hfPython };
