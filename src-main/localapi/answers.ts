/**
 * Answers in OpenAI's shape: JSON bodies, the `{ error: { message, type, param, code } }` envelope
 * the SDKs parse, the core's error codes as OpenAI's statuses, and a zod issue as one sentence
 * naming the field.
 */
import type http from 'node:http';
import type { ApiError } from '../contract/errors';

export type ErrorType = 'invalid_request_error' | 'authentication_error' | 'not_found_error' | 'rate_limit_error' | 'server_error';

/** Seconds a refused client is told to wait (429 and 503 answers). */
export const RETRY_AFTER_S = '2';

export function sendJson(res: http.ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  if (res.headersSent) return;
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text), ...headers });
  res.end(text);
}

export function sendError(
  res: http.ServerResponse,
  status: number,
  type: ErrorType,
  message: string,
  opts: { param?: string | null; code?: string | null; headers?: Record<string, string> } = {},
): void {
  sendJson(res, status, { error: { message, type, param: opts.param ?? null, code: opts.code ?? null } }, opts.headers);
}

/** The core's errors, in OpenAI's words and statuses. */
export function apiErrorToHttp(e: ApiError): { status: number; type: ErrorType; code: string } {
  switch (e.code) {
    case 'VALIDATION_FAILED':
      return { status: 400, type: 'invalid_request_error', code: 'invalid_request' };
    case 'WONT_FIT':
      return { status: 400, type: 'invalid_request_error', code: 'model_wont_fit' };
    case 'CONTEXT_OVERFLOW':
      return { status: 400, type: 'invalid_request_error', code: 'context_length_exceeded' };
    case 'NOT_FOUND':
    case 'NO_MODEL':
      return { status: 404, type: 'not_found_error', code: 'model_not_found' };
    case 'BUSY':
      return { status: 429, type: 'rate_limit_error', code: 'busy' };
    case 'HOST_CRASHED':
      return { status: 500, type: 'server_error', code: 'model_crashed' };
    case 'LOAD_FAILED':
      return { status: 500, type: 'server_error', code: 'model_load_failed' };
    case 'NOT_AVAILABLE':
      return { status: 503, type: 'server_error', code: 'not_available' };
    default:
      return { status: 500, type: 'server_error', code: 'internal_error' };
  }
}

/** The first zod issue as a sentence, and the field it names in OpenAI's `param` form (`messages[0].content`). */
export function zodMessage(error: { issues: { path: PropertyKey[]; message: string }[] }): { message: string; param: string | null } {
  const first = error.issues[0];
  const param = first?.path.length
    ? first.path
        .map((p) => (typeof p === 'number' ? `[${p}]` : String(p)))
        .join('.')
        .replace(/\.\[/g, '[')
    : null;
  return { message: first ? `${param ? `${param}: ` : ''}${first.message}` : 'Invalid request.', param };
}
