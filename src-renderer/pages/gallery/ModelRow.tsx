import { Link } from 'wouter';
import { CheckCircle2, Download, Heart, Loader2 } from 'lucide-react';
import type { ModelCardView } from '../../../src-main/contract/gallery';
import { formatAgo, formatBytes, formatCount } from '../../../src-main/contract/present/format';
import { repoFormat, usualDownload } from '../../../src-main/contract/present/model-size';
import { AccessBadges } from '../../components/AccessBadges';
import { ExternalLinkButton } from '../../components/ExternalLink';
import { Badge } from '../../components/ui/badge';

export type LocalMark = 'cached' | 'downloading' | null;

/**
 * One search result in one line of fixed height: name, format, access, what this machine has of
 * it, task, size (≈ the usual download, from the parameter count), popularity, a link to the Hub.
 */
export function ModelRow({ m, local }: { m: ModelCardView; local: LocalMark }) {
  const format = repoFormat(m.tags);
  const usual = usualDownload(format, m.parameters);
  return (
    <div className="flex h-full items-center gap-4 border-b border-border px-4" data-testid="model-card">
      <div className="min-w-0 flex-1">
        <div className="flex min-w-0 items-center gap-2 overflow-hidden whitespace-nowrap">
          <Link href={`/model/${encodeURIComponent(m.id)}`} className="truncate font-medium hover:text-primary hover:underline">
            {m.id}
          </Link>
          {format ? <Badge data-testid="format">{format === 'gguf' ? 'GGUF' : 'safetensors'}</Badge> : null}
          <AccessBadges gated={m.gated} isPrivate={m.private} />
          {local === 'cached' ? (
            <Badge tone="success" data-testid="local-mark">
              <CheckCircle2 /> In cache
            </Badge>
          ) : local === 'downloading' ? (
            <Badge tone="primary" data-testid="local-mark">
              <Loader2 className="animate-spin" /> Downloading
            </Badge>
          ) : null}
        </div>
        <div className="mt-0.5 flex gap-x-3 overflow-hidden whitespace-nowrap text-xs text-muted-foreground">
          {m.pipelineTag ? <span>{m.pipelineTag}</span> : null}
          {m.parameters ? <span>{formatCount(m.parameters)} params</span> : null}
          {usual ? (
            <span title={`Estimated from the parameter count; the model page lists every file's real size.`}>
              ≈ {formatBytes(usual.bytes)} at {usual.label}
            </span>
          ) : null}
          <span className="truncate">updated {formatAgo(m.lastModified)}</span>
        </div>
      </div>
      <span className="hidden w-20 items-center justify-end gap-1 text-xs text-muted-foreground md:flex" title="Downloads">
        <Download className="size-3.5" />
        {formatCount(m.downloads)}
      </span>
      <span className="hidden w-16 items-center justify-end gap-1 text-xs text-muted-foreground md:flex" title="Likes">
        <Heart className="size-3.5" />
        {formatCount(m.likes)}
      </span>
      <ExternalLinkButton href={m.url}>Hub</ExternalLinkButton>
    </div>
  );
}
