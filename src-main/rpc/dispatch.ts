/**
 * The single entry point for every call from a renderer, whatever the transport: look the method
 * up in the contract, validate the input with its zod schema before any handler runs, run it, and
 * turn any failure into a structured error. Inputs are never logged (they may one day hold secrets).
 */
import { type z } from 'zod';
import { type RequestName, isRequestName, requests } from '../contract/api';
import { ApiError } from '../contract/errors';
import type { WireResult } from '../contract/wire';
import type { Handlers } from '../contract/handlers';

export interface ValidationIssue {
  path: string;
  message: string;
}

export async function dispatch(handlers: Handlers, method: string, input: unknown): Promise<WireResult> {
  if (typeof method !== 'string' || !isRequestName(method)) {
    return {
      ok: false,
      error: { code: 'UNKNOWN_METHOD', message: `Unknown request ${JSON.stringify(String(method)).slice(0, 80)}.` },
    };
  }
  const schema: z.ZodType = requests[method].input;
  const parsed = schema.safeParse(input ?? {});
  if (!parsed.success) {
    const issues: ValidationIssue[] = parsed.error.issues.map((i) => ({
      path: i.path.map(String).join('.'),
      message: i.message,
    }));
    const first = issues[0];
    const where = first?.path ? ` (${first.path})` : '';
    return {
      ok: false,
      error: {
        code: 'VALIDATION_FAILED',
        message: `Invalid input for ${method}${where}: ${first?.message ?? 'rejected'}`,
        details: { issues },
      },
    };
  }
  try {
    const handler = handlers[method] as (input: unknown) => Promise<unknown>;
    return { ok: true, value: await handler(parsed.data) };
  } catch (error) {
    if (error instanceof ApiError) return { ok: false, error: error.toShape() };
    console.error(`[hubcap] ${method as RequestName} failed:`, error);
    return { ok: false, error: { code: 'INTERNAL', message: `Hubcap hit an internal error while handling ${method}.` } };
  }
}
