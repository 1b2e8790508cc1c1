/**
 * Structured errors that cross the contract. Every failure the renderer sees has a stable
 * `code` (for logic), a one-sentence `message` (for people) and optional `details`.
 */
export const ERROR_CODES = [
  'VALIDATION_FAILED',
  'UNKNOWN_METHOD',
  'INVALID_PATH',
  'NOT_AVAILABLE',
  'DISCONNECTED',
  'INTERNAL',
  // Hub and download errors: each maps to one sentence and one action in the UI.
  'OFFLINE',
  'UNAUTHORIZED',
  'GATED',
  'FORBIDDEN',
  'REPO_NOT_FOUND',
  'REVISION_NOT_FOUND',
  'ENTRY_NOT_FOUND',
  'RATE_LIMITED',
  'SERVER_ERROR',
  'NETWORK',
  'DISK_FULL',
  'DISK_ERROR',
  'INTEGRITY',
  'CANCELLED',
  'NOT_FOUND',
  'CONFLICT',
  // Local inference.
  'WONT_FIT',
  'LOAD_FAILED',
  'HOST_CRASHED',
  'CONTEXT_OVERFLOW',
  'NO_MODEL',
  'BUSY',
] as const;

export type ErrorCode = (typeof ERROR_CODES)[number];

export interface ApiErrorShape {
  code: ErrorCode;
  message: string;
  details?: unknown;
}

export class ApiError extends Error implements ApiErrorShape {
  readonly code: ErrorCode;
  readonly details?: unknown;

  constructor(code: ErrorCode, message: string, details?: unknown) {
    super(message);
    this.name = 'ApiError';
    this.code = code;
    if (details !== undefined) this.details = details;
  }

  toShape(): ApiErrorShape {
    return this.details === undefined ? { code: this.code, message: this.message } : { code: this.code, message: this.message, details: this.details };
  }
}

export function isApiErrorShape(value: unknown): value is ApiErrorShape {
  if (typeof value !== 'object' || value === null) return false;
  const v = value as Record<string, unknown>;
  return typeof v.code === 'string' && (ERROR_CODES as readonly string[]).includes(v.code) && typeof v.message === 'string';
}
