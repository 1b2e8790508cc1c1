/**
 * What a Xet transfer is asked for and answers (xet-transfer.ts): the file, the knobs its callers
 * set (connections, windows, the journal, local chunks), and what it reports.
 */
import type { ChunkDecoder } from '../xet/decode-pool';
import type { ConnectionBudget } from './connection-controller';
import type { LocalChunks } from './xet-local-chunks';
import type { RangeProgress, XetJournal } from './xet-journal';

export interface XetTransferRequest {
  xetHash: string;
  /** The `xet-auth` link (the read-token route on the Hub). */
  refreshUrl: string;
  size: number;
  sha256: string;
  ctx: { repo?: string; path?: string };
}

export interface XetTransferOptions {
  signal: AbortSignal;
  /** Xorb requests at once, at most (default 8). */
  connections?: number;
  /**
   * Ranges opened at once until one shows the link caps a connection (its first 100 ms under
   * 25 MB/s, xet-link-judge.ts); then up to `connections`. Default: `connections` from the start.
   */
  firstConnections?: number;
  /** Connections all downloads together may hold beyond each file's first: each xorb request past this file's first takes one. */
  budget?: ConnectionBudget;
  /** Bytes of the file one plan covers (default 256 MiB, as hf_xet asks). */
  windowBytes?: number;
  onBytes?: (delta: number, position: number) => void;
  /** Told how many xorb connections the file uses now (as the classic road's range connections). */
  onConnections?: (n: number) => void;
  /** Where progress is recorded by range and chunk (beside the partial), and what an earlier run recorded. */
  journal?: XetJournal;
  resume?: Map<string, RangeProgress>;
  /** Failures in a row without progress before giving up (default 8). */
  maxRetries?: number;
  stallTimeoutMs?: number;
  sleep?: (ms: number, signal: AbortSignal) => Promise<void>;
  hashOffThread?: boolean;
  /**
   * Decodes compressed chunks off this thread (xet/decode-pool.ts); null decodes them here. By
   * default the shared pool, for files from 32 MiB where hashing goes off the thread too.
   */
  decoder?: ChunkDecoder | null;
  /** For the CAS plan requests (tests). */
  fetch?: typeof fetch;
  /** Chunks on this machine to take instead of fetching them (delta updates, #26.3). */
  local?: LocalChunks;
}

export interface XetTransferResult {
  bytesFetched: number;
  /** Ranges fetched and ranges that served more than one term (fetched once). */
  ranges: number;
  sharedRanges: number;
  /** Bytes an earlier run had written, taken back from the journal. */
  resumedBytes: number;
  /**
   * The Xet file hash of the chunks written against the one the Hub named: `unchecked` when it
   * could not be computed (chunks that came from disk do not tile the file).
   */
  xetHash: XetHashCheck;
  /** Bytes written from local files instead of fetched (the provider names copies it found stale). */
  reusedBytes: number;
  /** Bytes written from chunks this file repeats (a range serving several terms, a later window's repeat): not fetched again. */
  repeatedBytes: number;
}

export type XetHashCheck = 'matched' | 'differs' | 'unchecked';
