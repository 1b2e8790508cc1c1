import { Link } from 'wouter';
import { Download, Heart } from 'lucide-react';
import type { ModelCardView } from '../../../src-main/contract/gallery';
import { formatAgo, formatCount } from '../../../src-main/contract/present/format';
import { AccessBadges } from '../../components/AccessBadges';
import { ExternalLinkButton } from '../../components/ExternalLink';

/** One search result: name, access, task, size, popularity and a link to the Hub. */
export function ModelRow({ m }: { m: ModelCardView }) {
  return (
    <div className="flex h-full items-center gap-4 border-b border-border px-4" data-testid="model-card">
      <div className="min-w-0 flex-1">
        <div className="flex items-center gap-2">
          <Link href={`/model/${encodeURIComponent(m.id)}`} className="truncate font-medium hover:text-primary hover:underline">
            {m.id}
          </Link>
          <AccessBadges gated={m.gated} isPrivate={m.private} />
        </div>
        <div className="mt-0.5 flex flex-wrap gap-x-3 text-xs text-muted-foreground">
          {m.pipelineTag ? <span>{m.pipelineTag}</span> : null}
          {m.parameters ? <span>{formatCount(m.parameters)} params</span> : null}
          <span>updated {formatAgo(m.lastModified)}</span>
        </div>
      </div>
      <span className="flex w-20 items-center justify-end gap-1 text-xs text-muted-foreground" title="Downloads">
        <Download className="size-3.5" />
        {formatCount(m.downloads)}
      </span>
      <span className="flex w-16 items-center justify-end gap-1 text-xs text-muted-foreground" title="Likes">
        <Heart className="size-3.5" />
        {formatCount(m.likes)}
      </span>
      <ExternalLinkButton href={m.url}>Hub</ExternalLinkButton>
    </div>
  );
}
