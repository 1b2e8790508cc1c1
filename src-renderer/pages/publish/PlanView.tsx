import { FilePlus2, FileSymlink, FileCheck2 } from 'lucide-react';
import type { PublishFile, PublishPlan } from '../../../src-main/contract/publish';
import { formatBytes, plural } from '../../../src-main/contract/present/format';
import { Badge } from '../../components/ui/badge';

const ACTION: Record<PublishFile['action'], { label: string; tone: 'primary' | 'warning' | 'neutral'; icon: typeof FilePlus2 }> = {
  add: { label: 'Add', tone: 'primary', icon: FilePlus2 },
  replace: { label: 'Replace', tone: 'warning', icon: FileSymlink },
  unchanged: { label: 'Unchanged', tone: 'neutral', icon: FileCheck2 },
};

/** Exactly what will happen, file by file, before anything is sent. */
export function PlanView({ plan }: { plan: PublishPlan }) {
  const t = plan.totals;
  const where = plan.createPr ? `a pull request on ${plan.repo}` : `${plan.repo}${plan.revision !== 'main' ? ` (branch ${plan.revision})` : ''}`;
  return (
    <div className="space-y-3" data-testid="publish-plan">
      <p className="text-sm">
        {plan.createsRepo ? (
          <>
            Creates <span className="font-medium">{plan.repo}</span>, then adds {plural(t.files, 'file')} ({formatBytes(t.bytes)}).
          </>
        ) : (
          <>
            Into {where}: {plural(t.add, 'file')} to add, {t.replace} to replace, {t.unchanged} unchanged (skipped). {formatBytes(t.bytesToSend)} to send.
          </>
        )}
        {plan.createsBranch ? ` The branch ${plan.revision} is created from main first.` : ''}
        {plan.commits > 1 ? ` In ${plan.commits} commits of up to 1,000 files; cancelling keeps the parts already committed.` : ''}
      </p>
      <div className="max-h-80 overflow-auto rounded-lg border border-border">
        <table className="w-full text-sm">
          <thead className="sticky top-0 bg-muted text-left text-xs text-muted-foreground">
            <tr>
              <th className="px-3 py-2 font-medium">File in the repo</th>
              <th className="px-3 py-2 text-right font-medium">Size</th>
              <th className="px-3 py-2 font-medium">What happens</th>
            </tr>
          </thead>
          <tbody>
            {plan.files.map((f) => {
              const a = ACTION[f.action];
              return (
                <tr key={f.path} className="border-t border-border" data-testid="plan-file" data-action={f.action}>
                  <td className="max-w-0 truncate px-3 py-1.5 font-mono text-xs" title={`${f.path}\n${f.localPath}`}>
                    {f.path}
                  </td>
                  <td className="whitespace-nowrap px-3 py-1.5 text-right tabular-nums">{formatBytes(f.size)}</td>
                  <td className="px-3 py-1.5">
                    <Badge tone={a.tone}>
                      <a.icon />
                      {a.label}
                    </Badge>
                  </td>
                </tr>
              );
            })}
          </tbody>
        </table>
      </div>
      {plan.skipped.length > 0 ? (
        <details className="text-sm text-muted-foreground">
          <summary className="cursor-pointer">{plural(plan.skipped.length, 'file')} not sent</summary>
          <ul className="mt-1 list-disc space-y-0.5 pl-5">
            {plan.skipped.slice(0, 100).map((s) => (
              <li key={s.path}>
                <span className="font-mono text-xs">{s.path}</span>: {s.reason}
              </li>
            ))}
          </ul>
        </details>
      ) : null}
    </div>
  );
}
