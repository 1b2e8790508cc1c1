import type { ExportItemView, ExportModeView, ExportPlanView } from '../../../src-main/contract/export';
import { formatBytes } from '../../../src-main/contract/present/format';
import { Badge } from '../../components/ui/badge';

const short = (sha: string | null) => (sha ? `${sha.slice(0, 12)}…` : 'not hashed');

/** One file: where it goes, what it is for ComfyUI, and, when the name is taken, both sides. */
function ItemRow({ item }: { item: ExportItemView }) {
  return (
    <li className="space-y-0.5 px-3 py-1.5" data-testid="export-item">
      <div className="flex items-center gap-2">
        <span className="min-w-0 flex-1 truncate font-mono" title={`${item.path} → ${item.dest}`}>
          {item.dest}
        </span>
        {item.kind ? <Badge title={item.kind.because}>{item.kind.folder}</Badge> : null}
        {item.state === 'same' ? <Badge tone="primary">already there</Badge> : null}
        {item.state === 'conflict' ? <Badge tone="warning">name taken</Badge> : null}
        <span className="shrink-0 font-mono text-muted-foreground">{formatBytes(item.size)}</span>
      </div>
      {item.conflict ? (
        <p className="text-warning" data-testid="export-conflict">
          There: {item.conflict.kind === 'file' ? 'a file' : `a ${item.conflict.kind}`} of {formatBytes(item.conflict.size)}, sha256{' '}
          {short(item.conflict.sha256)} · this one: {formatBytes(item.size)}, sha256 {short(item.sha256)}
        </p>
      ) : null}
    </li>
  );
}

export function ExportItems({ plan }: { plan: ExportPlanView }) {
  return (
    <ul className="max-h-40 divide-y divide-border overflow-y-auto rounded-md border border-border text-xs" data-testid="export-items">
      {plan.items.map((i) => (
        <ItemRow key={i.path} item={i} />
      ))}
      {plan.skipped.map((s) => (
        <li key={s.path} className="px-3 py-1.5 text-muted-foreground">
          {s.path}: {s.why}
        </li>
      ))}
    </ul>
  );
}

/** Each way of placing the files with what it means here; the unavailable ones say why. */
export function ModeChoices({ modes, chosen }: { modes: ExportModeView[]; chosen: string }) {
  return (
    <ul className="space-y-1 text-xs" data-testid="export-modes">
      {modes.map((m) => (
        <li key={m.mode} className={m.mode === chosen ? 'text-foreground' : 'text-muted-foreground'}>
          <span className="font-medium">{m.mode}</span>
          {m.available ? '' : ' (not here)'}: {m.consequence}
        </li>
      ))}
    </ul>
  );
}
