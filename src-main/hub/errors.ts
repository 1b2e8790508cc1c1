/**
 * Hub responses turned into typed errors named after what the user can do about them (as Python's
 * huggingface_hub does): gated, unauthorized, not found (repo, revision or file), rate limited…
 * The server's own message rides along; tokens never do.
 */
import { ApiError, type ErrorCode } from '../contract/errors';

export interface HubErrorDetails {
  status?: number;
  repo?: string;
  revision?: string;
  path?: string;
  /** For GATED: the repo page where access is requested. */
  repoUrl?: string;
  retryAfterSeconds?: number;
  requestId?: string;
  serverMessage?: string;
  commit?: string;
  /** Which server failed: the Hub itself or the host its links point at (a CDN). */
  host?: string;
  /** Attempts made before giving up. */
  attempts?: number;
  /** A server answer that asking again will not change (a redirect loop, a refused address). */
  permanent?: boolean;
}

export class HubError extends ApiError {
  override readonly details: HubErrorDetails;
  constructor(code: ErrorCode, message: string, details: HubErrorDetails = {}) {
    super(code, message, details);
    this.name = 'HubError';
    this.details = details;
  }

  /** Worth retrying by itself (transient), as opposed to needing the user. */
  get transient(): boolean {
    if (this.details.permanent) return false;
    return this.code === 'RATE_LIMITED' || this.code === 'SERVER_ERROR' || this.code === 'NETWORK';
  }
}

export interface ErrorContext {
  repo?: string;
  revision?: string;
  path?: string;
  repoUrl?: string;
  signedIn: boolean;
}

export function retryAfterSeconds(headers: Headers): number | undefined {
  const ra = headers.get('retry-after');
  if (ra) {
    const n = Number(ra);
    if (Number.isFinite(n)) return Math.max(0, n);
    const date = Date.parse(ra);
    if (!Number.isNaN(date)) return Math.max(0, (date - Date.now()) / 1000);
  }
  const rl = /t=(\d+)/.exec(headers.get('ratelimit') ?? '');
  return rl ? Number(rl[1]) : undefined;
}

/** Maps a non-2xx Hub response to a HubError (status, X-Error-Code, X-Error-Message). */
export function hubErrorFrom(status: number, headers: Headers, ctx: ErrorContext, bodyMessage?: string): HubError {
  const code = headers.get('x-error-code');
  const serverMessage = headers.get('x-error-message') ?? bodyMessage ?? undefined;
  const requestId = headers.get('x-request-id') ?? headers.get('x-amzn-trace-id') ?? undefined;
  const base: HubErrorDetails = {
    status,
    ...(ctx.repo ? { repo: ctx.repo } : {}),
    ...(ctx.revision ? { revision: ctx.revision } : {}),
    ...(ctx.path ? { path: ctx.path } : {}),
    ...(requestId ? { requestId } : {}),
    ...(serverMessage ? { serverMessage } : {}),
  };
  const what = ctx.repo ?? 'this repository';
  if (code === 'GatedRepo') {
    const d = { ...base, ...(ctx.repoUrl ? { repoUrl: ctx.repoUrl } : {}) };
    return status === 401 || !ctx.signedIn
      ? new HubError('GATED', `${what} is gated: sign in with a Hub token, then request access on the model page.`, d)
      : new HubError('GATED', `${what} is gated and this account has no access yet: request it on the model page (approval may take a while).`, d);
  }
  if (code === 'RepoNotFound') {
    return ctx.signedIn
      ? new HubError('REPO_NOT_FOUND', `${what} does not exist, or it is private and this token cannot see it.`, base)
      : new HubError('REPO_NOT_FOUND', `${what} does not exist, or it is private: sign in if it is yours.`, base);
  }
  if (code === 'RevisionNotFound') return new HubError('REVISION_NOT_FOUND', `Revision "${ctx.revision ?? '?'}" does not exist in ${what}.`, base);
  if (code === 'EntryNotFound') {
    const commit = headers.get('x-repo-commit');
    return new HubError('ENTRY_NOT_FOUND', `${ctx.path ?? 'That file'} does not exist in ${what} at ${ctx.revision ?? 'this revision'}.`, {
      ...base,
      ...(commit ? { commit } : {}),
    });
  }
  if (status === 401) {
    if (/invalid credentials/i.test(serverMessage ?? '') || ctx.signedIn) {
      return new HubError('UNAUTHORIZED', 'The Hub rejected the token (invalid, expired or revoked): sign in again.', base);
    }
    return new HubError('UNAUTHORIZED', `The Hub needs you to sign in for ${what}.`, base);
  }
  if (status === 403) {
    if (/disabled/i.test(serverMessage ?? '')) return new HubError('FORBIDDEN', `${what} has been disabled on the Hub.`, base);
    // Only a request that carried a token can be refused for the token's permissions.
    return ctx.signedIn
      ? new HubError('FORBIDDEN', `The Hub refused this (${serverMessage ?? 'forbidden'}): the token may lack the needed permission.`, base)
      : new HubError('FORBIDDEN', `The Hub refused this (${serverMessage ?? 'forbidden'}).`, base);
  }
  if (status === 404) return new HubError('NOT_FOUND', `Not found on the Hub: ${ctx.path ?? what}.`, base);
  if (status === 429) {
    const ra = retryAfterSeconds(headers);
    return new HubError('RATE_LIMITED', `The Hub is rate-limiting requests${ra !== undefined ? `; retry in ${Math.ceil(ra)} s` : ''}.`, {
      ...base,
      ...(ra !== undefined ? { retryAfterSeconds: ra } : {}),
    });
  }
  if (status >= 500) {
    const ra = retryAfterSeconds(headers);
    return new HubError('SERVER_ERROR', `The Hub answered HTTP ${status}; it may be having trouble.`, {
      ...base,
      ...(ra !== undefined ? { retryAfterSeconds: ra } : {}),
    });
  }
  return new HubError('SERVER_ERROR', `The Hub answered HTTP ${status}${serverMessage ? `: ${serverMessage}` : ''}.`, base);
}

/**
 * A non-2xx answer from the host a resolve link redirected to (the CDN). It never saw a token, so
 * it is never blamed on one: a 401/403 there is a signed link that expired or was tampered with.
 */
export function downloadHostError(status: number, headers: Headers, host: string, ctx: Omit<ErrorContext, 'signedIn'>): HubError {
  const requestId = headers.get('x-amz-cf-id') ?? headers.get('x-request-id') ?? undefined;
  const base: HubErrorDetails = {
    status,
    host,
    ...(ctx.path ? { path: ctx.path } : {}),
    ...(ctx.repo ? { repo: ctx.repo } : {}),
    ...(requestId ? { requestId } : {}),
  };
  const where = `the download host (${host})`;
  if (status === 401 || status === 403)
    return new HubError('FORBIDDEN', `${capital(where)} refused the signed link (HTTP ${status}): it may have expired.`, base);
  if (status === 404) return new HubError('NOT_FOUND', `${capital(where)} does not have ${ctx.path ?? 'this file'} (HTTP 404).`, base);
  const ra = retryAfterSeconds(headers);
  const d = { ...base, ...(ra !== undefined ? { retryAfterSeconds: ra } : {}) };
  if (status === 429) return new HubError('RATE_LIMITED', `${capital(where)} is rate-limiting downloads (HTTP 429).`, d);
  return new HubError('SERVER_ERROR', `${capital(where)} answered HTTP ${status}.`, d);
}

function capital(s: string): string {
  return s.charAt(0).toUpperCase() + s.slice(1);
}

export function networkError(error: unknown, url: string): HubError {
  const e = error as Error & { cause?: { code?: string; message?: string }; code?: string };
  const reason = e.cause?.code ?? e.code ?? e.cause?.message ?? e.message;
  let host = url;
  try {
    host = new URL(url).host;
  } catch {
    // keep the raw string
  }
  return new HubError('NETWORK', `Could not reach ${host} (${reason}).`, { host });
}
