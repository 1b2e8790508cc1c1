/** The token file `hf auth login` writes: HF_TOKEN_PATH, else HF_HOME/token (stored_tokens beside it). */
import path from 'node:path';
import { expandUserPath, resolveHfHome, type LocationEnv } from '../cache/location';

export function tokenFilePath(loc: LocationEnv): string {
  const p = loc.env.HF_TOKEN_PATH?.trim();
  return p ? expandUserPath(p, loc) : path.join(resolveHfHome(loc), 'token');
}
