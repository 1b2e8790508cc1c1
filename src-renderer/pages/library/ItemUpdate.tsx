import { useState } from 'react';
import { ArrowUpCircle } from 'lucide-react';
import { parseItemKey, repoKey } from '../../../src-main/contract/keys';
import type { LibraryItem } from '../../../src-main/contract/library';
import { hasUpdate } from '../../../src-main/contract/present/updates';
import type { RepoUpdates } from '../../../src-main/contract/updates';
import { useUpdates } from '../../api/updates';
import { Badge } from '../../components/ui/badge';
import { Button } from '../../components/ui/button';
import { Dialog } from '../../components/ui/dialog';
import { UpdatePanel } from '../cache/UpdatePanel';

/** The updates state of a cached item's repo, and the commit it runs. */
function useItemUpdates(item: LibraryItem): { status: RepoUpdates | null; commit: string | null } {
  const parsed = parseItemKey(item.key);
  const view = useUpdates().data;
  if (parsed?.source !== 'cache') return { status: null, commit: null };
  return { status: view?.repos.find((r) => r.repo === repoKey(parsed.repo)) ?? null, commit: parsed.commit };
}

/** "Runs revision abc12345 (main)": which revision a cached item is, and which branch (or none) points at it. */
export function ItemRevision({ item }: { item: LibraryItem }) {
  const { status, commit } = useItemUpdates(item);
  if (!commit) return null;
  const branches = status?.branches.filter((b) => b.cachedCommit === commit).map((b) => b.branch) ?? [];
  const previous = status?.previous.includes(commit);
  const what = branches.length ? ` (${branches.join(', ')})` : previous ? ' (previous revision)' : '';
  return (
    <p className="truncate text-xs text-muted-foreground" data-testid="item-revision">
      Runs revision <code>{commit.slice(0, 8)}</code>
      {what}
      {status?.pinned === commit ? ' · pinned' : ''}
    </p>
  );
}

/** The update badge of a cached item, opening the same Update panel as the Cache page. */
export function ItemUpdate({ item }: { item: LibraryItem }) {
  const [open, setOpen] = useState(false);
  const { status, commit } = useItemUpdates(item);
  // Only the revision a moved branch had: a previous revision kept after an update has nothing newer to get.
  if (!status || !hasUpdate(status) || !status.branches.some((b) => b.cachedCommit === commit && (b.state === 'available' || b.state === 'diverged')))
    return null;
  return (
    <>
      <Button size="sm" variant="ghost" className="h-6 px-1" onClick={() => setOpen(true)} aria-label={`Update available for ${item.name}`}>
        <Badge tone="primary" data-testid="item-update-badge">
          <ArrowUpCircle /> Update
        </Badge>
      </Button>
      <Dialog
        open={open}
        onOpenChange={setOpen}
        title={`Update ${status.id}`}
        description="What changed on the Hub since your revision, and what updating would download."
      >
        <div className="max-h-[60vh] overflow-y-auto">
          <UpdatePanel status={status} />
        </div>
      </Dialog>
    </>
  );
}
