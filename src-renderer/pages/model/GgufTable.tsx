import { formatBytes } from '../../../src-main/contract/present/format';
import { ErrorNotice } from '../../components/ErrorNotice';
import { FitCell } from './FitCell';
import { GroupStatus } from './GroupStatus';
import { groupState, type GroupsProps } from './local-state';
import { useDownloadFromPage } from './use-download-from-page';

/** The quantizations, one row each (split files as one), with size, fit and what this machine has of each. */
export function GgufTable({ model, groups, presence, jobs }: GroupsProps) {
  const start = useDownloadFromPage(model);
  const offline = model.source === 'cache';
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
            {groups.map((g) => {
              const state = groupState(g, model.id, model.sha, presence, jobs);
              return (
                <tr key={g.label + g.files[0]?.path} className="border-t border-border" data-testid="gguf-row">
                  <td className="py-2 font-medium">{g.label}</td>
                  <td className="max-w-72 truncate font-mono text-xs text-muted-foreground" title={g.files[0]?.path}>
                    {g.parts > 1 ? `${g.files[0]?.path.replace(/-00001-of-\d{5}\.gguf$/i, '')} (${g.parts} parts)` : g.files[0]?.path}
                  </td>
                  <td className="whitespace-nowrap text-right font-mono text-xs">{formatBytes(g.size)}</td>
                  <td className="pl-3">
                    {g.files[0] ? <FitCell model={model} path={g.files[0].path} libraryKey={state.state === 'downloaded' ? state.libraryKey : null} /> : null}
                  </td>
                  <td className="whitespace-nowrap py-1.5 pl-3 text-right">
                    <GroupStatus group={g} state={state} offline={offline} onDownload={() => start.download(g.files.map((f) => f.path))} />
                  </td>
                </tr>
              );
            })}
          </tbody>
        </table>
      </div>
      <p className="text-xs text-muted-foreground">
        {offline
          ? 'Offline: fit estimates are shown for the files in the cache, read from the files themselves.'
          : "Fit estimates come from each file's header alone (a few MB read over HTTP ranges), checked by node-llama-cpp against this machine's GPU and RAM for a context of up to 8,192 tokens. Hover a badge for the numbers."}
      </p>
      {start.error ? <ErrorNotice error={start.error} /> : null}
    </div>
  );
}
