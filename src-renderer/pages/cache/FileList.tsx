import { useRef } from 'react';
import { useVirtualizer } from '@tanstack/react-virtual';
import { formatBytes } from '../../../src-main/contract/present/format';
import { useCacheFiles } from '../../api/cache';
import { ErrorNotice } from '../../components/ErrorNotice';
import { Badge } from '../../components/ui/badge';

/** A revision's files; "copy" marks one stored as a file rather than a link to its blob. */
export function FileList({ repo, commit }: { repo: string; commit: string }) {
  const files = useCacheFiles(repo, commit);
  const parent = useRef<HTMLDivElement>(null);
  const list = files.data ?? [];
  const virtual = useVirtualizer({ count: list.length, getScrollElement: () => parent.current, estimateSize: () => 30, overscan: 20 });
  if (files.error) return <ErrorNotice error={files.error} />;
  return (
    <div ref={parent} className="max-h-64 overflow-y-auto rounded-md border border-border" data-testid="file-list">
      <div style={{ height: virtual.getTotalSize(), position: 'relative' }}>
        {virtual.getVirtualItems().map((row) => {
          const f = list[row.index];
          if (!f) return null;
          return (
            <div key={f.path} className="absolute left-0 flex w-full items-center gap-3 px-3 text-xs" style={{ top: row.start, height: row.size }}>
              <span className="min-w-0 flex-1 truncate font-mono">{f.path}</span>
              {f.linked ? null : <Badge>copy</Badge>}
              <span className="shrink-0 font-mono text-muted-foreground">{formatBytes(f.size)}</span>
            </div>
          );
        })}
      </div>
    </div>
  );
}
