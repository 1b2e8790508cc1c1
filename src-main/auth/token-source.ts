/**
 * Where the Hub token comes from, in Python's order: HF_TOKEN, HUGGING_FACE_HUB_TOKEN, then the
 * token file written by `hf auth login` (HF_TOKEN_PATH or HF_HOME/token). HF_HUB_DISABLE_IMPLICIT_TOKEN
 * means none is attached. The OS keychain joins this list with the Account work.
 */
import fs from 'node:fs';
import path from 'node:path';
import { envFlag } from '../hub/env-flags';
import { expandUserPath, resolveHfHome, type LocationEnv } from '../cache/location';

export type TokenOrigin = 'HF_TOKEN' | 'HUGGING_FACE_HUB_TOKEN' | 'token-file';

export interface ResolvedToken {
  token: string;
  origin: TokenOrigin;
  file?: string;
}

export function tokenFilePath(loc: LocationEnv): string {
  const p = loc.env.HF_TOKEN_PATH?.trim();
  return p ? expandUserPath(p, loc) : path.join(resolveHfHome(loc), 'token');
}

export function resolveImplicitToken(loc: LocationEnv): ResolvedToken | null {
  if (envFlag(loc.env.HF_HUB_DISABLE_IMPLICIT_TOKEN)) return null;
  for (const name of ['HF_TOKEN', 'HUGGING_FACE_HUB_TOKEN'] as const) {
    const v = loc.env[name]?.replace(/\s+/g, '');
    if (v) return { token: v, origin: name };
  }
  const file = tokenFilePath(loc);
  try {
    const v = fs.readFileSync(file, 'utf8').replace(/\s+/g, '');
    if (v) return { token: v, origin: 'token-file', file };
  } catch {
    // no token file: anonymous
  }
  return null;
}
