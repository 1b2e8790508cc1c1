import { Eye } from 'lucide-react';
import type { FileGroup } from '../../../src-main/contract/model';
import { formatBytes, plural } from '../../../src-main/contract/present/format';
import { Badge } from '../../components/ui/badge';
import { cn } from '../../lib/cn';
import { GroupStatus } from './GroupStatus';
import { groupState, type GroupState, type GroupsProps } from './local-state';
import { RowDownload } from './RowDownload';
import { useDownloadFromPage } from './use-download-from-page';

/** The non-GGUF files by role (weights, config, other), each with what this machine has of it. */
export function FileGroups({ model, groups, presence, jobs, focus }: GroupsProps & { focus: FileGroup | null }) {
  const start = useDownloadFromPage(model);
  const states = groups.map((g) => groupState(g, model.id, model.sha, presence, jobs));
  return (
    <ul className="divide-y divide-border">
      {groups.map((g, i) => (
        <li
          key={g.label + g.files[0]?.path}
          className={cn('py-2 text-sm', g === focus && 'bg-accent')}
          data-testid="file-group"
          data-kind={g.kind}
          data-focused={g === focus ? 'true' : undefined}
        >
          <details open={g === focus ? true : undefined}>
            <summary className="flex cursor-pointer items-center gap-3">
              <span className="min-w-0 flex-1">
                {/* A projector is not a model on its own: it lets a model of this repo read images. */}
                {g.kind === 'mmproj' ? (
                  <>
                    <Badge tone="primary" data-testid="vision-projector">
                      <Eye /> Vision projector
                    </Badge>{' '}
                    <span className="font-mono text-xs">{g.label}</span>{' '}
                    <span className="text-xs text-muted-foreground">(lets a model of this repo read images; not a model on its own)</span>
                  </>
                ) : (
                  g.label
                )}{' '}
                <span className="text-muted-foreground">
                  ({plural(g.files.length, 'file')}, {formatBytes(g.size)})
                </span>
              </span>
              {/* A click on the row's button must not fold or unfold the list it sits in. */}
              <span onClick={(e) => e.preventDefault()}>
                <GroupStatus
                  group={g}
                  state={states[i] as GroupState}
                  offline={model.source === 'cache'}
                  onDownload={() => start.download(g.files.map((f) => f.path))}
                />
              </span>
            </summary>
            <ul className="mt-1 space-y-0.5 pl-4 font-mono text-xs text-muted-foreground">
              {g.files.map((f) => (
                <li key={f.path}>
                  {f.path} · {formatBytes(f.size)}
                </li>
              ))}
            </ul>
          </details>
          <RowDownload state={states[i] as GroupState} jobs={jobs} group={g} />
        </li>
      ))}
    </ul>
  );
}
