/**
 * What one classic (whole-file URL) transfer shares between its single-stream and multi-connection
 * attempts: the file asked for, its options, the partial being filled and how far it is, the hasher
 * following the done prefix, and the download host the resolve URL redirected to (kept so a resume
 * does not resolve again). Also the two ways an attempt fails that the retry loop treats apart.
 */
import type { HubHttp } from '../hub/http';
import { HubError } from '../hub/errors';
import type { ConnectionBudget } from './connection-controller';
import type { DiskHasher } from './hasher';
import { errorFrom, openBody, type OpenedBody } from './http-stream';
import type { PartialFile } from './partial-file';
import type { RangesRecord, SpanSet } from './range-state';

export type FileCtx = { repo?: string; revision?: string; path?: string; repoUrl?: string };

/** A file to fetch over HTTP: its resolve URL, its name (sha256 or git sha1) and size. */
export interface HttpFile {
  url: string;
  etag: string;
  size: number;
  ctx: FileCtx;
  /** A signed link the plan's HEAD already led to, fresh: fetched first, resolved again if refused. */
  location?: string;
}

export interface RetryInfo {
  reason: string;
  attempt: number;
  maxAttempts: number;
  delayMs: number;
}

export interface HttpTransferOptions {
  signal: AbortSignal;
  /** Bytes received (`delta`) and where the file now stands (`position`, which drops to 0 on a restart). */
  onBytes?: (delta: number, position: number) => void;
  onRetry?: (info: RetryInfo) => void;
  /** A stream with no bytes for this long is dropped and resumed (HF_HUB_DOWNLOAD_TIMEOUT). */
  stallTimeoutMs?: number;
  /** Attempts in a row without progress before giving up. */
  maxRetries?: number;
  /** Range connections for a large file: the most the adaptive controller may use ('auto': 16). */
  connections?: number | 'auto';
  /** Connections beyond each file's first, shared by every download at once. */
  budget?: ConnectionBudget;
  /** The block a range connection is handed at a time (default: by file size, see blockBytesFor). */
  segmentBytes?: number;
  /** Files below this size always use one stream. */
  parallelThreshold?: number;
  /** A range connection silent this long while others progress is replaced (default 3 s). */
  connectionStallMs?: number;
  /** Bytes/s one connection gets on a link that caps none (the controller's fast mark; tests scale it to what a loaded machine gives). */
  fastPerConnection?: number;
  /** Told how many connections the file uses now. */
  onConnections?: (n: number) => void;
  sleep?: (ms: number, signal: AbortSignal) => Promise<void>;
  /** Hash in a worker thread (default: when there is a core to spare). */
  hashOffThread?: boolean;
}

/** The mutable state of one file's classic transfer, shared by its attempts. */
export interface HttpAttempt {
  readonly hub: HubHttp;
  readonly file: HttpFile;
  readonly opts: HttpTransferOptions;
  partial: PartialFile;
  /** Spans on disk; `written` is its prefix (what the hasher may read). */
  done: SpanSet;
  written: number;
  /** The record of done spans beside a partial written by several connections. */
  record: RangesRecord | null;
  hasher: DiskHasher;
  bytesFetched: number;
  /** Where the resolve URL led (a signed CDN link), once known. */
  location: string | null;
}

/** A transient failure of one attempt: retried from the bytes already on disk (or from zero). */
export class Attempt extends Error {
  constructor(
    readonly hubError: HubError,
    readonly restartFromZero = false,
  ) {
    super(hubError.message);
  }
}

/** Another program deleted the partial we were writing (`hf cache prune` does). */
export class PartialGone extends Error {
  constructor() {
    super('another program deleted the partial file');
  }
}

export function hostOf(a: HttpAttempt): string {
  return new URL(a.location ?? a.file.url).host;
}

/** Opens a range on the current location (resolving it first), mapping errors. */
export async function openAt(a: HttpAttempt, start: number, end?: number): Promise<OpenedBody> {
  const opened = await openBody(a.hub, a.location ?? a.file.url, { start, ...(end !== undefined ? { end } : {}) }, a.opts.signal);
  if (opened.status === 200 || opened.status === 206) {
    a.location = opened.finalUrl;
    return opened;
  }
  if (opened.status === 416) {
    opened.res.destroy();
    throw new Attempt(new HubError('NETWORK', 'The server refused the resume point.', { host: new URL(opened.finalUrl).host }), true);
  }
  throw await errorFrom(opened, a.hub, a.file.ctx);
}

/** Does a 206 answer start where we asked and describe the file we expect? */
export function rangeMatches(opened: OpenedBody, start: number, size: number): boolean {
  const m = /^bytes (\d+)-(\d+)\/(\d+|\*)$/.exec(opened.headers.get('content-range') ?? '');
  return m !== null && Number(m[1]) === start && (m[3] === '*' || Number(m[3]) === size);
}
