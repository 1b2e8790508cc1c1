import type { FileChange, UpdateDetails } from '../../../src-main/contract/updates';
import { formatBytes } from '../../../src-main/contract/present/format';
import { Badge } from '../../components/ui/badge';

const TONE = { changed: 'warning', renamed: 'primary', added: 'success', removed: 'danger', same: 'neutral' } as const;

function sizes(f: FileChange): string {
  if (f.oldSize !== null && f.newSize !== null)
    return f.oldSize === f.newSize ? formatBytes(f.newSize) : `${formatBytes(f.oldSize)} → ${formatBytes(f.newSize)}`;
  return formatBytes(f.newSize ?? f.oldSize ?? 0);
}

/** What an update brings: the summary line, the commits, each changed file with sizes and GGUF keys. */
export function WhatChanged({ details }: { details: UpdateDetails }) {
  const changed = details.files.filter((f) => f.change !== 'same');
  return (
    <div className="space-y-3 text-sm" data-testid="what-changed">
      <p className="font-medium" data-testid="update-summary">
        {details.summary}
      </p>
      <p className="text-xs text-muted-foreground">
        {details.estimate === 'whole-files'
          ? 'To download: the changed files this machine does not hold yet, counted whole.'
          : 'To download: after reusing the chunks of your current copy.'}
      </p>
      {details.commits.length ? (
        <ol className="space-y-1" aria-label="New commits">
          {details.commits.slice(0, 20).map((c) => (
            <li key={c.id} className="flex gap-2">
              <code className="shrink-0 text-xs text-muted-foreground">{c.id.slice(0, 8)}</code>
              <span className="min-w-0 flex-1 truncate" title={c.title}>
                {c.title || '(no title)'}
              </span>
              <span className="shrink-0 text-xs text-muted-foreground">{c.date.slice(0, 10)}</span>
            </li>
          ))}
          {!details.commitsComplete && !details.diverged ? <li className="text-xs text-muted-foreground">… and older commits</li> : null}
        </ol>
      ) : null}
      <ul className="space-y-1.5" aria-label="Changed files">
        {changed.map((f) => (
          <li key={f.path} className="space-y-1">
            <div className="flex flex-wrap items-center gap-2">
              <Badge tone={TONE[f.change]}>{f.change}</Badge>
              <span className="min-w-0 break-all font-mono text-xs">
                {f.from ? `${f.from} → ` : ''}
                {f.path}
              </span>
              <span className="ml-auto shrink-0 font-mono text-xs text-muted-foreground">{sizes(f)}</span>
            </div>
            {!f.selected && f.change !== 'removed' ? <p className="text-xs text-muted-foreground">Not fetched: you do not have this file.</p> : null}
            {f.gguf?.length ? (
              <ul className="ml-4 space-y-0.5 text-xs" aria-label={`Metadata changes in ${f.path}`}>
                {f.gguf.map((g) => (
                  <li key={g.key}>
                    <code>{g.key}</code> {g.change}
                    {g.key === 'tokenizer.chat_template' ? ' (the chat template)' : ''}
                  </li>
                ))}
              </ul>
            ) : null}
            {f.ggufNote ? <p className="ml-4 text-xs text-muted-foreground">{f.ggufNote}</p> : null}
            {f.note ? <p className="ml-4 text-xs text-warning">{f.note}</p> : null}
          </li>
        ))}
        {changed.length === 0 ? <li className="text-muted-foreground">No file changed.</li> : null}
      </ul>
    </div>
  );
}
