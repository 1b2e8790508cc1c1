import { useRef } from 'react';
import { useVirtualizer } from '@tanstack/react-virtual';
import type { CacheRepoView } from '../../../src-main/contract/cache';
import { formatAgo, formatBytes, plural } from '../../../src-main/contract/present/format';
import { cn } from '../../lib/cn';
import { Badge } from '../../components/ui/badge';

/** Every cached repo, virtualised: a cache can hold thousands. */
export function RepoList({
  repos,
  selected,
  onSelect,
  withUpdate,
}: {
  repos: CacheRepoView[];
  selected: string | null;
  onSelect: (key: string) => void;
  /** Repos with an update on the Hub (#26): a badge on their row. */
  withUpdate?: ReadonlySet<string>;
}) {
  const parent = useRef<HTMLDivElement>(null);
  const virtual = useVirtualizer({ count: repos.length, getScrollElement: () => parent.current, estimateSize: () => 52, overscan: 12 });
  return (
    <div ref={parent} className="max-h-[28rem] overflow-y-auto rounded-lg border border-border" data-testid="repo-list">
      <div style={{ height: virtual.getTotalSize(), position: 'relative' }}>
        {virtual.getVirtualItems().map((row) => {
          const r = repos[row.index] as CacheRepoView;
          return (
            <button
              key={r.key}
              type="button"
              onClick={() => onSelect(r.key)}
              aria-current={selected === r.key ? 'true' : undefined}
              className={cn(
                'absolute left-0 flex w-full items-center gap-3 border-b border-border px-3 text-left text-sm hover:bg-muted',
                selected === r.key && 'bg-accent hover:bg-accent',
              )}
              style={{ top: row.start, height: row.size }}
            >
              <div className="min-w-0 flex-1">
                <div className="truncate font-medium">{r.id}</div>
                <div className="text-xs text-muted-foreground">
                  {r.type} · {plural(r.revisions.length, 'revision')} · used {formatAgo(r.lastAccessed)}
                </div>
              </div>
              {withUpdate?.has(r.key) ? (
                <Badge tone="primary" data-testid="update-badge">
                  Update
                </Badge>
              ) : null}
              <span className="shrink-0 font-mono text-xs">{formatBytes(r.sizeOnDisk)}</span>
            </button>
          );
        })}
      </div>
    </div>
  );
}
