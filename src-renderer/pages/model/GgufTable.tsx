import { Download } from 'lucide-react';
import type { FileGroup, ModelDetails } from '../../../src-main/contract/model';
import { formatBytes } from '../../../src-main/contract/present/format';
import { ErrorNotice } from '../../components/ErrorNotice';
import { Button } from '../../components/ui/button';
import { FitCell } from './FitCell';
import { useDownloadFromPage } from './use-download-from-page';

/** The quantizations, one row each (split files as one), with size, fit and a download button. */
export function GgufTable({ model, groups }: { model: ModelDetails; groups: FileGroup[] }) {
  const start = useDownloadFromPage(model);
  return (
    <div className="space-y-2">
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
          {groups.map((g) => (
            <tr key={g.label + g.files[0]?.path} className="border-t border-border" data-testid="gguf-row">
              <td className="py-2 font-medium">{g.label}</td>
              <td className="max-w-80 truncate font-mono text-xs text-muted-foreground">
                {g.parts > 1 ? `${g.files[0]?.path.replace(/-00001-of-\d{5}\.gguf$/i, '')} (${g.parts} parts)` : g.files[0]?.path}
              </td>
              <td className="text-right font-mono text-xs">{formatBytes(g.size)}</td>
              <td className="pl-3">{g.files[0] ? <FitCell model={model} path={g.files[0].path} /> : null}</td>
              <td className="pl-3 text-right">
                <Button size="sm" onClick={() => start.download(g.files.map((f) => f.path))} aria-label={`Download ${g.label}`}>
                  <Download />
                  Download
                </Button>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      <p className="text-xs text-muted-foreground">
        Fit estimates come from each file's header alone (a few MB read over HTTP ranges), checked by node-llama-cpp against this machine's GPU and RAM for a
        context of up to 8,192 tokens. Hover a badge for the numbers.
      </p>
      {start.error ? <ErrorNotice error={start.error} /> : null}
    </div>
  );
}
