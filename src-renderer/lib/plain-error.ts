/**
 * An error as people read it: one plain sentence up front, and the raw code and message (ECONNREFUSED,
 * NETWORK, UNAUTHORIZED, AccessDenied…) kept for a details line that a bug report can quote.
 */
import { ApiError } from '../../src-main/contract/errors';

export interface PlainError {
  /** What the user reads. No codes. */
  text: string;
  /** The code and the original message, for the details line; null when there is nothing more to say. */
  detail: string | null;
}

/** What to do next, for codes whose message says what happened but not what to do. */
const NEXT: Partial<Record<string, string>> = {
  NETWORK: 'Check the connection, or try again in a moment.',
  SERVER_ERROR: 'Try again in a moment.',
};

/** System error names in parentheses ("(ECONNREFUSED)", "(UND_ERR_SOCKET)"), and bare S3-style codes. */
const RAW_TOKEN =
  /\s*\((?:E[A-Z]{3,}|UND_ERR_[A-Z_]+|[A-Z][a-z]+(?:[A-Z][a-z]+)+|[A-Z_]{5,})\)|\b(?:AccessDenied|NoSuchKey|SignatureDoesNotMatch|E(?:CONNREFUSED|CONNRESET|NOTFOUND|TIMEDOUT|AI_AGAIN|PIPE|HOSTUNREACH|NETUNREACH))\b:?\s*/g;

export function plainError(error: unknown): PlainError {
  const code = error instanceof ApiError ? error.code : null;
  const message = error instanceof Error ? error.message : String(error);
  const raw = code ? `${code}: ${message}` : message;
  const cleaned =
    message
      .replace(RAW_TOKEN, ' ')
      .replace(/\s+([.,:;])/g, '$1')
      .replace(/\s{2,}/g, ' ')
      .trim() || 'Something went wrong.';
  const next = code ? NEXT[code] : undefined;
  const text = next && !cleaned.includes(next) ? `${cleaned} ${next}` : cleaned;
  // The whole original when the sentence was changed; else the code alone (the sentence is above it).
  return { text, detail: text !== message ? raw : code };
}
