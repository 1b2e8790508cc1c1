/**
 * One request run behind its own schema: the input validated before the handler runs, any failure
 * turned into a structured error. `dispatch` looks the schema up in the whole contract; a caller
 * that knows its request's domain (the CLI's download) passes that domain's table, so it needs
 * none of the other domains' schemas (building them all was ~15 ms of every command's start, #25).
 * Inputs are never logged (they may one day hold secrets).
 */
import type { z } from 'zod';
import type { RequestName } from '../contract/api';
import { ApiError } from '../contract/errors';
import type { WireResult } from '../contract/wire';

export interface ValidationIssue {
  path: string;
  message: string;
}

export async function runRequest(method: RequestName, schema: z.ZodType, handler: (input: unknown) => Promise<unknown>, input: unknown): Promise<WireResult> {
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
    return { ok: true, value: await handler(parsed.data) };
  } catch (error) {
    if (error instanceof ApiError) return { ok: false, error: error.toShape() };
    console.error(`[hubcap] ${method} failed:`, error);
    return { ok: false, error: { code: 'INTERNAL', message: `Hubcap hit an internal error while handling ${method}.` } };
  }
}
