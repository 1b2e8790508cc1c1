/**
 * The single entry point for every call from a renderer, whatever the transport: look the method
 * up in the contract, validate the input with its zod schema before any handler runs, run it, and
 * turn any failure into a structured error (`run-request.ts`).
 */
import { isRequestName, requests } from '../contract/api';
import type { WireResult } from '../contract/wire';
import type { Handlers } from '../contract/handlers';
import { runRequest } from './run-request';

export type { ValidationIssue } from './run-request';

export async function dispatch(handlers: Handlers, method: string, input: unknown): Promise<WireResult> {
  if (typeof method !== 'string' || !isRequestName(method)) {
    return {
      ok: false,
      error: { code: 'UNKNOWN_METHOD', message: `Unknown request ${JSON.stringify(String(method)).slice(0, 80)}.` },
    };
  }
  return runRequest(method, requests[method].input, handlers[method] as (input: unknown) => Promise<unknown>, input);
}
