import { APP_NAMES } from '../../../src-main/contract/apps';
import { plural } from '../../../src-main/contract/present/format';
import { useExports, useForgetExport } from '../../api/export';
import { Badge } from '../../components/ui/badge';
import { Button } from '../../components/ui/button';

/** Where this repo's revisions were placed for other apps (remembered exports), and how. */
export function AlsoUsedIn({ repo }: { repo: string }) {
  const exports = useExports();
  const forget = useForgetExport();
  const mine = (exports.data ?? []).filter((e) => e.repo === repo);
  if (!mine.length) return null;
  return (
    <div className="space-y-1.5" data-testid="also-used-in">
      <div className="text-xs font-medium uppercase tracking-wide text-muted-foreground">Also used in</div>
      <ul className="space-y-1 text-sm">
        {mine.map((e) => (
          <li key={e.id} className="flex flex-wrap items-center gap-2">
            <span className="font-medium">{e.app ? APP_NAMES[e.app] : 'A folder'}</span>
            <code className="min-w-0 flex-1 truncate font-mono text-xs" title={e.root}>
              {e.root}
            </code>
            <Badge
              tone={e.mode === 'symlink' ? 'warning' : 'neutral'}
              title={e.mode === 'symlink' ? 'Links into the cache: they break if this revision is deleted or the cache moves.' : undefined}
            >
              {e.mode}
            </Badge>
            <span className="text-xs text-muted-foreground">
              {plural(e.files.length, 'file')} · {e.commit.slice(0, 8)}
              {e.missing ? ` · ${e.missing} removed there` : ''}
            </span>
            {e.missing === e.files.length ? (
              <Button size="sm" variant="ghost" onClick={() => forget.mutate(e.id)}>
                Forget
              </Button>
            ) : null}
          </li>
        ))}
      </ul>
    </div>
  );
}
