/** How a file of a folder download came, as the CLI and the "Download to a folder" dialog say it. */
import type { LocalDirResultView } from '../local-dir';

const VIA = {
  present: 'already there',
  hashed: 'already there (checked by hash)',
  cache: 'from the cache',
  network: 'downloaded',
} as const;

export function localDirVia(f: Pick<LocalDirResultView['files'][number], 'via' | 'protocol' | 'xetHashDiffers'>): string {
  const how = f.via === 'network' && f.protocol === 'xet' ? 'downloaded via Xet' : VIA[f.via];
  return f.xetHashDiffers ? `${how} (its sha256 matched; its chunks did not hash to the Xet hash the Hub named)` : how;
}
