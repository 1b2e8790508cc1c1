import { Database, Download, Heart } from 'lucide-react';
import type { ModelDetails } from '../../../src-main/contract/model';
import { formatCount } from '../../../src-main/contract/present/format';
import { AccessBadges } from '../../components/AccessBadges';
import { ExternalLinkButton } from '../../components/ExternalLink';
import { Badge } from '../../components/ui/badge';
import { NativeSelect } from '../../components/ui/native-select';

/**
 * The model's name, where it was read from (the Hub with its figures, or this machine), its commit,
 * the revision shown (its branches and tags to pick from) and a link to it on the Hub.
 */
export function ModelHeader({ model: m, revision, onRevision }: { model: ModelDetails; revision: string; onRevision: (r: string) => void }) {
  return (
    <div className="flex flex-wrap items-start gap-3">
      <div className="min-w-0 flex-1">
        <h1 className="truncate text-2xl font-semibold tracking-tight">{m.id}</h1>
        <div className="mt-1 flex flex-wrap items-center gap-2 text-sm text-muted-foreground">
          {m.source === 'cache' ? (
            <Badge tone="warning" data-testid="from-cache">
              <Database /> {m.hubProblem ? 'From this machine' : 'From the cache (offline)'}
            </Badge>
          ) : (
            <>
              <AccessBadges gated={m.gated} isPrivate={m.private} />
              {m.pipelineTag ? <Badge>{m.pipelineTag}</Badge> : null}
              <span className="flex items-center gap-1">
                <Download className="size-3.5" /> {formatCount(m.downloads)}
              </span>
              <span className="flex items-center gap-1">
                <Heart className="size-3.5" /> {formatCount(m.likes)}
              </span>
            </>
          )}
          <span className="font-mono text-xs">commit {m.sha.slice(0, 8)}</span>
        </div>
      </div>
      <label className="flex items-center gap-2 text-sm">
        Revision
        <NativeSelect aria-label="Revision" value={revision} onChange={(e) => onRevision(e.target.value)}>
          {[...new Set(['main', ...m.branches, ...m.tags_, revision])].map((r) => (
            <option key={r} value={r}>
              {r}
            </option>
          ))}
        </NativeSelect>
      </label>
      {m.source === 'hub' ? <ExternalLinkButton href={m.url}>Open on the Hub</ExternalLinkButton> : null}
    </div>
  );
}
