import { useState } from 'react';
import { FolderDown } from 'lucide-react';
import type { ModelDetails } from '../../../src-main/contract/model';
import { formatBytes, plural } from '../../../src-main/contract/present/format';
import { localDirVia } from '../../../src-main/contract/present/local-dir-via';
import { useDownloadToFolder, useLocalDirProgress, useStopFolderDownload } from '../../api/local-dir';
import { Progress } from '../../components/ui/progress';
import { ErrorNotice } from '../../components/ErrorNotice';
import { BrowseButton } from '../../components/FolderPicker';
import { Button } from '../../components/ui/button';
import { Dialog } from '../../components/ui/dialog';
import { Input } from '../../components/ui/input';
import { Switch } from '../../components/ui/switch';

/**
 * "Download to a folder…": this revision's files (or those matching a pattern) at their real paths
 * in a folder of the user's, with huggingface_hub's local-dir metadata, so `hf download --local-dir`
 * continues it and the reverse. A different file already there is replaced only when switched on.
 */
function DownloadToFolderBody({ model, onDone }: { model: ModelDetails; onDone: () => void }) {
  const [dir, setDir] = useState('');
  const [pattern, setPattern] = useState('');
  const [overwrite, setOverwrite] = useState(false);
  const run = useDownloadToFolder();
  const stop = useStopFolderDownload();
  const progress = useLocalDirProgress(dir, run.isPending);
  const conflict = (run.error as { code?: string } | null)?.code === 'CONFLICT';
  if (run.data)
    return (
      <div className="space-y-3" data-testid="local-dir-done">
        <p className="text-sm">
          {plural(run.data.files.length, 'file')} in <code className="font-mono text-xs">{run.data.dir}</code>: {formatBytes(run.data.bytesFetched)} downloaded
          {run.data.bytesFromCache ? `, ${formatBytes(run.data.bytesFromCache)} from the cache` : ''}.
        </p>
        <ul className="max-h-40 overflow-y-auto text-xs text-muted-foreground">
          {run.data.files.map((f) => (
            <li key={f.path} className="flex justify-between gap-3">
              <span className="truncate font-mono">{f.path}</span>
              <span className="shrink-0">{localDirVia(f)}</span>
            </li>
          ))}
        </ul>
        <div className="flex justify-end">
          <Button onClick={onDone}>Done</Button>
        </div>
      </div>
    );
  return (
    <div className="space-y-3">
      <div className="flex items-center gap-2">
        <Input
          value={dir}
          onChange={(e) => setDir(e.target.value)}
          placeholder="Folder (created if missing)"
          aria-label="Folder"
          className="font-mono text-xs"
        />
        <BrowseButton title="Download into" onPick={([p]) => p && setDir(p)} />
      </div>
      <Input
        value={pattern}
        onChange={(e) => setPattern(e.target.value)}
        placeholder="Only files matching, e.g. *Q4_K_M*.gguf (all when empty)"
        aria-label="Only files matching"
      />
      <p className="text-xs text-muted-foreground">
        Files keep their names; Python&apos;s bookkeeping goes in <code className="font-mono">.cache/huggingface/</code> inside it. Files this machine already
        has are copied from the cache, not downloaded again.
      </p>
      {progress ? (
        <div className="space-y-1" data-testid="local-dir-progress">
          <p className="truncate text-xs text-muted-foreground">
            {progress.file} ({progress.filesDone + 1} of {progress.files}) · {formatBytes(progress.bytes)} of {formatBytes(progress.size)}
          </p>
          <Progress value={progress.size ? (progress.bytes / progress.size) * 100 : 100} label={`Downloading ${progress.file}`} />
        </div>
      ) : null}
      {run.error ? <ErrorNotice error={run.error} /> : null}
      {conflict ? (
        <label className="flex items-center gap-2 text-sm">
          <Switch checked={overwrite} onCheckedChange={setOverwrite} aria-label="Replace files that are not this revision's" />
          Replace files there that are not this revision&apos;s
        </label>
      ) : null}
      <div className="flex justify-end gap-2">
        {run.isPending ? (
          // Stopping keeps what came so far: the next run (or hf download --local-dir) resumes it.
          <Button onClick={() => stop.mutate(dir)} disabled={stop.isPending}>
            Stop
          </Button>
        ) : (
          <Button onClick={onDone}>Cancel</Button>
        )}
        <Button
          variant="primary"
          disabled={!dir || run.isPending}
          onClick={() =>
            run.mutate({
              repo: `model:${model.id}`,
              revision: model.sha,
              dir,
              ...(pattern ? { files: [pattern] } : {}),
              ...(overwrite ? { overwrite } : {}),
            })
          }
        >
          <FolderDown />
          {run.isPending ? 'Downloading…' : 'Download'}
        </Button>
      </div>
    </div>
  );
}

export function DownloadToFolderButton({ model }: { model: ModelDetails }) {
  const [open, setOpen] = useState(false);
  return (
    <>
      <Button size="sm" onClick={() => setOpen(true)}>
        <FolderDown />
        To a folder…
      </Button>
      <Dialog
        open={open}
        onOpenChange={setOpen}
        title={`Download ${model.id} to a folder`}
        description={`Revision ${model.revision} (${model.sha.slice(0, 8)}).`}
      >
        {open ? <DownloadToFolderBody model={model} onDone={() => setOpen(false)} /> : null}
      </Dialog>
    </>
  );
}
