import { formatBytes, plural } from '../../../src-main/contract/present/format';
import { GroupStatus } from './GroupStatus';
import { groupState, type GroupsProps } from './local-state';
import { useDownloadFromPage } from './use-download-from-page';

/** The non-GGUF files by role (weights, config, other), each with what this machine has of it. */
export function FileGroups({ model, groups, presence, jobs }: GroupsProps) {
  const start = useDownloadFromPage(model);
  return (
    <ul className="divide-y divide-border">
      {groups.map((g) => (
        <li key={g.label + g.files[0]?.path} className="py-2 text-sm" data-testid="file-group">
          <details>
            <summary className="flex cursor-pointer items-center gap-3">
              <span className="flex-1">
                {g.label}{' '}
                <span className="text-muted-foreground">
                  ({plural(g.files.length, 'file')}, {formatBytes(g.size)})
                </span>
              </span>
              <GroupStatus
                group={g}
                state={groupState(g, model.id, model.sha, presence, jobs)}
                offline={model.source === 'cache'}
                onDownload={() => start.download(g.files.map((f) => f.path))}
              />
            </summary>
            <ul className="mt-1 space-y-0.5 pl-4 font-mono text-xs text-muted-foreground">
              {g.files.map((f) => (
                <li key={f.path}>
                  {f.path} · {formatBytes(f.size)}
                </li>
              ))}
            </ul>
          </details>
        </li>
      ))}
    </ul>
  );
}
