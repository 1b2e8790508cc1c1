import { useRef } from 'react';
import { useVirtualizer } from '@tanstack/react-virtual';
import { formatBytes } from '../../../src-main/contract/present/format';
import { useCacheFiles, useUnshare } from '../../api/cache';
import { ErrorNotice } from '../../components/ErrorNotice';
import { Badge } from '../../components/ui/badge';
import { Button } from '../../components/ui/button';
import { PathField } from '../../components/PathField';

const HARD_LINK_RISK =
  'Hard-linked: this blob shares its bytes with another file (another app’s). If that app rewrites its file in place, the cached model changes too (cache verify then reports it). “Own copy” gives the cache its own bytes: a clone where the disk can, else a copy of its size.';

/** `models--org--name/blobs/<etag>` shortened for a row: the blob's own name, cut (the full path is its title). */
function blobLabel(blob: string): string {
  const name = blob.split(/[\\/]/).pop() ?? blob;
  return name.length > 12 ? `${name.slice(0, 12)}…` : name;
}

/**
 * A revision's files at their real paths, each with the blob it resolves to, under the snapshot
 * folder a user can hand to `from_pretrained(path)`. "copy" marks one stored as a file rather than
 * a link to its blob, "hard link" one whose bytes another file shares.
 */
export function FileList({ repo, commit, snapshotPath }: { repo: string; commit: string; snapshotPath: string }) {
  const files = useCacheFiles(repo, commit);
  const unshare = useUnshare(repo, commit);
  const parent = useRef<HTMLDivElement>(null);
  const list = files.data ?? [];
  const virtual = useVirtualizer({ count: list.length, getScrollElement: () => parent.current, estimateSize: () => 30, overscan: 20 });
  if (files.error) return <ErrorNotice error={files.error} />;
  const hardLinked = list.filter((f) => f.hardLinks);
  return (
    <>
      <PathField label="Folder (from_pretrained accepts it)" path={snapshotPath} testId="snapshot-path" />
      {hardLinked.length ? (
        <p className="text-xs text-warning" data-testid="hard-link-risk">
          {hardLinked.length === 1 ? 'One file shares' : `${hardLinked.length} files share`} its bytes with another app’s file (a hard link): if that app
          rewrites it in place, the cached model changes too. Give {hardLinked.length === 1 ? 'it' : 'each'} its own copy below.
        </p>
      ) : null}
      {unshare.error ? <ErrorNotice error={unshare.error} /> : null}
      <div ref={parent} className="max-h-64 overflow-y-auto rounded-md border border-border" data-testid="file-list">
        <div style={{ height: virtual.getTotalSize(), position: 'relative' }}>
          {virtual.getVirtualItems().map((row) => {
            const f = list[row.index];
            if (!f) return null;
            return (
              <div key={f.path} className="absolute left-0 flex w-full items-center gap-3 px-3 text-xs" style={{ top: row.start, height: row.size }}>
                <span className="min-w-0 flex-1 truncate font-mono">{f.path}</span>
                {f.linked ? null : <Badge>copy</Badge>}
                {f.hardLinks ? (
                  <>
                    <Badge tone="warning" title={HARD_LINK_RISK}>
                      hard link
                    </Badge>
                    <Button size="sm" variant="ghost" className="h-6 px-2 text-xs" onClick={() => unshare.mutate(f.path)} disabled={unshare.isPending}>
                      Own copy
                    </Button>
                  </>
                ) : null}
                <span className="hidden shrink-0 font-mono text-muted-foreground sm:inline" title={f.payload ? `${f.blob} → ${f.payload}` : f.blob}>
                  blob {blobLabel(f.blob)}
                </span>
                <span className="shrink-0 font-mono text-muted-foreground">{formatBytes(f.size)}</span>
              </div>
            );
          })}
        </div>
      </div>
    </>
  );
}
