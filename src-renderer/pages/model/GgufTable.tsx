import { Fragment, useEffect, useRef, useState } from 'react';
import { Sparkles } from 'lucide-react';
import type { FitEstimate } from '../../../src-main/contract/inference';
import type { FileGroup } from '../../../src-main/contract/model';
import { formatBytes } from '../../../src-main/contract/present/format';
import { useCacheFreeSpace } from '../../api/app';
import { useHubFits } from '../../api/gallery';
import { ErrorNotice } from '../../components/ErrorNotice';
import { Badge } from '../../components/ui/badge';
import { cn } from '../../lib/cn';
import { FitCell } from './FitCell';
import { GroupStatus } from './GroupStatus';
import { groupState, type GroupsProps } from './local-state';
import { recommendQuant } from './recommend';
import { RowDownload } from './RowDownload';
import { askReason, DownloadConfirm, type AskReason } from './DownloadConfirm';
import { useDownloadFromPage } from './use-download-from-page';

/** Every row's estimate, and the recommended row once every estimate has answered (a late one could change it). */
function useFits(model: GroupsProps['model'], groups: readonly FileGroup[]): { fits: (FitEstimate | undefined)[]; recommended: string | null } {
  const online = model.source === 'hub';
  const answers = useHubFits(
    model.id,
    model.sha,
    groups.map((g) => g.files[0]?.path ?? ''),
    online,
  );
  const fits = answers.map((a) => a.data);
  if (!online || answers.some((f) => f.isPending)) return { fits, recommended: null };
  return { fits, recommended: recommendQuant(groups.map((g, i) => ({ label: g.label, size: g.size, fit: fits[i] }))) };
}

/** The quantizations, one row each (split files as one), with size, fit and what this machine has of each. */
export function GgufTable({ model, groups, presence, jobs, focus }: GroupsProps & { focus: FileGroup | null }) {
  const start = useDownloadFromPage(model);
  const offline = model.source === 'cache';
  const { fits, recommended } = useFits(model, groups);
  const disk = useCacheFreeSpace().data;
  const [confirm, setConfirm] = useState<{ group: FileGroup; reason: AskReason } | null>(null);
  const download = (g: FileGroup) => start.download(g.files.map((f) => f.path));
  const focused = useRef<HTMLTableRowElement>(null);
  useEffect(() => {
    // A block body: Chromium's scrollIntoView returns a promise, which React would take for a cleanup.
    focused.current?.scrollIntoView({ block: 'center' });
  }, [focus]);
  return (
    <div className="space-y-2">
      <div className="overflow-x-auto">
        <table className="w-full text-sm" data-testid="gguf-table">
          <thead className="text-left text-xs text-muted-foreground">
            <tr>
              <th className="py-1.5 font-medium">Quantization</th>
              <th className="font-medium">File</th>
              <th className="text-right font-medium">Size</th>
              <th className="pl-3 font-medium">This machine</th>
              <th />
            </tr>
          </thead>
          <tbody>
            {groups.map((g, i) => {
              const state = groupState(g, model.id, model.sha, presence, jobs);
              const live = state.state === 'downloading' || state.state === 'failed';
              return (
                <Fragment key={g.label + g.files[0]?.path}>
                  <tr
                    ref={g === focus ? focused : undefined}
                    className={cn('border-t border-border', g === focus && 'bg-accent')}
                    data-testid="gguf-row"
                    data-focused={g === focus ? 'true' : undefined}
                  >
                    <td className="py-2 font-medium">
                      <span className="flex flex-wrap items-center gap-1.5">
                        {g.label}
                        {g.label === recommended ? (
                          <Badge
                            tone="success"
                            data-testid="recommended"
                            title="The largest quantization that fits this machine with room for an 8,192-token context."
                          >
                            <Sparkles /> Recommended
                          </Badge>
                        ) : null}
                      </span>
                    </td>
                    <td className="max-w-72 truncate font-mono text-xs text-muted-foreground" title={g.files[0]?.path}>
                      {g.parts > 1 ? `${g.files[0]?.path.replace(/-00001-of-\d{5}\.gguf$/i, '')} (${g.parts} parts)` : g.files[0]?.path}
                    </td>
                    <td className="whitespace-nowrap text-right font-mono text-xs">{formatBytes(g.size)}</td>
                    <td className="pl-3">
                      {g.files[0] ? <FitCell model={model} path={g.files[0].path} libraryKey={state.state === 'downloaded' ? state.libraryKey : null} /> : null}
                    </td>
                    <td className="whitespace-nowrap py-1.5 pl-3 text-right">
                      <GroupStatus
                        group={g}
                        state={state}
                        offline={offline}
                        onDownload={() => {
                          const reason = askReason(g, fits[i], disk);
                          if (reason) setConfirm({ group: g, reason });
                          else download(g);
                        }}
                      />
                    </td>
                  </tr>
                  {live ? (
                    <tr data-testid="gguf-row-download">
                      <td colSpan={5} className="pb-2">
                        <RowDownload state={state} jobs={jobs} group={g} />
                      </td>
                    </tr>
                  ) : null}
                </Fragment>
              );
            })}
          </tbody>
        </table>
      </div>
      <p className="text-xs text-muted-foreground">
        {offline
          ? `${model.hubProblem ? 'From this machine' : 'Offline'}: fit estimates are shown for the files in the cache, read from the files themselves.`
          : "Fit estimates come from each file's header alone (a few MB read over HTTP ranges), checked by node-llama-cpp against this machine's GPU and RAM for a context of up to 8,192 tokens. Hover a badge for the numbers."}
      </p>
      {start.error ? <ErrorNotice error={start.error} /> : null}
      {confirm ? (
        <DownloadConfirm group={confirm.group} reason={confirm.reason} onDownload={() => download(confirm.group)} onClose={() => setConfirm(null)} />
      ) : null}
    </div>
  );
}
