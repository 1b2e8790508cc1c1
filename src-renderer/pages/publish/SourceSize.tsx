import { formatBytes, plural } from '../../../src-main/contract/present/format';
import { useBrowse } from '../../api/app';

/**
 * How much a picked source holds (files and bytes, as publishing would send them), shown as soon as
 * it is picked; nothing when the core cannot look (a path outside what may be browsed).
 */
export function SourceSize({ path }: { path: string }) {
  const l = useBrowse(path).data;
  if (!l) return null;
  return (
    <span className="shrink-0 font-sans text-muted-foreground" data-testid="publish-path-size">
      {plural(l.files, 'file')}, {formatBytes(l.bytes)}
      {l.truncated ? ' or more' : ''}
    </span>
  );
}
