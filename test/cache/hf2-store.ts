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
  /** Stored with LFS (a sha256 blob name) but not Xet: a repo blob of its own. */
  lfs?: boolean;
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
    files: r.files.map((f) => ({ path: f.path, hex: f.data.toString('hex'), xet: f.xet ? xetHashOf(f.data) : null, lfs: f.lfs === true })),
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

export const SHARED = Buffer.alloc(5000, 7);
export const ONLY_A = Buffer.alloc(3000, 8);
export const ONLY_B = Buffer.alloc(2000, 9);

/** Two repos sharing one Xet payload, each with a payload of its own, org/a with a plain (non-Xet) file too. */
export function twoRepos(): StoreRepo[] {
  return [
    {
      folder: 'models--org--a',
      commit: commitOf('a1'),
      files: [
        { path: 'shared.gguf', data: SHARED, xet: true },
        { path: 'a.gguf', data: ONLY_A, xet: true },
        { path: 'config.json', data: Buffer.from('{"a":1}') },
      ],
    },
    {
      folder: 'models--org--b',
      commit: commitOf('b1'),
      files: [
        { path: 'w/shared.gguf', data: SHARED, xet: true },
        { path: 'b.gguf', data: ONLY_B, xet: true },
      ],
    },
  ];
}

export { commitOf, sha256, hfPython };
