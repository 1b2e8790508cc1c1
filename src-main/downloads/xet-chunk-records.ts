/**
 * What we know of local Xet files' reconstructions, kept after their downloads (#25.4, #26.3): per
 * Xet file hash, its sha256, size, terms placed at their file offsets (xet/chunk-index.ts), and
 * the local paths it was last seen at. A Xet download records its own plan here when it lands; a
 * file we did not download (Python's, an older one) is recorded the first time a delta needs it,
 * from its reconstruction on the CAS. One small JSON file per Xet hash in the data folder (never in
 * the cache: Python's scan would list a foreign folder there as a problem). Records are ours but
 * checked when read back anyway, and they only ever say where to look: local bytes are used only
 * after their file's sha256 checks out (xet-local-chunks.ts).
 */
import fs from 'node:fs';
import path from 'node:path';
import { readOwnFileSync, writePrivateFileAtomic } from '../base/atomic-write';
import { SHA256_RE } from '../hub/blob-id';
import { XET_HASH_RE } from '../xet/hashes';
import { MAX_XORB_CHUNKS } from '../xet/reconstruction';
import type { PlacedTerm } from '../xet/chunk-index';

export interface ChunkRecord {
  xetHash: string;
  sha256: string;
  size: number;
  terms: PlacedTerm[];
  /** Where copies of the file were seen (absolute), newest first. */
  paths: string[];
}

const MAX_RECORD_BYTES = 32 << 20;
const MAX_RECORDS = 20_000;
const MAX_PATHS = 8;

let folder: string | null = null;
const memory = new Map<string, ChunkRecord>();
let listed = false;

/** Keeps records in `dir` (the data folder's `xet-chunks`), once the core says so; else they live in memory only. */
export function keepChunkRecordsIn(dir: string): void {
  if (folder === dir) return;
  folder = dir;
  listed = false;
}

/** Forgets what is in memory (tests). */
export function forgetChunkRecords(): void {
  memory.clear();
  listed = false;
}

function fileOf(xetHash: string): string | null {
  return folder ? path.join(folder, `${xetHash}.json`) : null;
}

function parse(raw: unknown, xetHash: string): ChunkRecord | null {
  const r = raw as { v?: unknown; xetHash?: unknown; sha256?: unknown; size?: unknown; terms?: unknown; paths?: unknown } | null;
  if (!r || r.v !== 1 || r.xetHash !== xetHash || typeof r.sha256 !== 'string' || !SHA256_RE.test(r.sha256)) return null;
  if (typeof r.size !== 'number' || !Number.isSafeInteger(r.size) || r.size < 0 || !Array.isArray(r.terms) || !Array.isArray(r.paths)) return null;
  const size = r.size;
  const terms: PlacedTerm[] = [];
  for (const t of r.terms as unknown[]) {
    if (!Array.isArray(t) || t.length !== 5) return null;
    const [xorb, start, end, unpacked, offset] = t as unknown[];
    const ints = [start, end, unpacked, offset].every((n) => typeof n === 'number' && Number.isSafeInteger(n) && n >= 0);
    if (typeof xorb !== 'string' || !XET_HASH_RE.test(xorb) || !ints) return null;
    const term = { xorb, start: start as number, end: end as number, unpacked: unpacked as number, offset: offset as number };
    if (term.start >= term.end || term.end > MAX_XORB_CHUNKS || term.unpacked < term.end - term.start || term.offset + term.unpacked > size) return null;
    terms.push(term);
  }
  const paths = (r.paths as unknown[]).filter((p): p is string => typeof p === 'string' && path.isAbsolute(p) && p.length < 4096).slice(0, MAX_PATHS);
  return { xetHash, sha256: r.sha256, size, terms, paths };
}

/** The record of a Xet file, or null. */
export function chunkRecord(xetHash: string): ChunkRecord | null {
  if (!XET_HASH_RE.test(xetHash)) return null;
  const known = memory.get(xetHash);
  if (known) return known;
  const file = fileOf(xetHash);
  if (!file) return null;
  try {
    if (fs.statSync(file).size > MAX_RECORD_BYTES) return null;
    const rec = parse(JSON.parse(readOwnFileSync(file)), xetHash);
    if (rec) memory.set(xetHash, rec);
    return rec;
  } catch {
    return null;
  }
}

/** Every record (bounded), read from the folder once per process. */
export function allChunkRecords(): ChunkRecord[] {
  if (!listed && folder) {
    listed = true;
    let names: string[] = [];
    try {
      names = fs.readdirSync(folder).filter((n) => n.endsWith('.json'));
    } catch {
      // none yet
    }
    for (const name of names.slice(0, MAX_RECORDS)) chunkRecord(name.slice(0, -'.json'.length));
  }
  return [...memory.values()];
}

/** Records (or updates) a file's terms; `seenAt` joins its paths. Best effort: a failed write costs a CAS request later. */
export function saveChunkRecord(rec: Omit<ChunkRecord, 'paths'>, seenAt?: string): ChunkRecord {
  const before = memory.get(rec.xetHash) ?? chunkRecord(rec.xetHash);
  const paths = [...new Set([...(seenAt ? [seenAt] : []), ...(before?.sha256 === rec.sha256 ? before.paths : [])])].slice(0, MAX_PATHS);
  const full: ChunkRecord = { ...rec, paths };
  memory.set(rec.xetHash, full);
  const file = fileOf(rec.xetHash);
  if (file) {
    const body = {
      v: 1,
      xetHash: rec.xetHash,
      sha256: rec.sha256,
      size: rec.size,
      terms: rec.terms.map((t) => [t.xorb, t.start, t.end, t.unpacked, t.offset]),
      paths,
    };
    try {
      writePrivateFileAtomic(file, JSON.stringify(body));
    } catch {
      // only a cache of work
    }
  }
  return full;
}

/** Drops a record whose terms proved wrong: the next delta asks the CAS again. */
export function dropChunkRecord(xetHash: string): void {
  memory.delete(xetHash);
  const file = fileOf(xetHash);
  if (file) fs.rmSync(file, { force: true });
}
