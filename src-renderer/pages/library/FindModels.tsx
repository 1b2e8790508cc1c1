import { useState } from 'react';
import { Plus, ScanSearch } from 'lucide-react';
import { APP_NAMES, type AppsReport, type FoundModel } from '../../../src-main/contract/apps';
import { formatBytes, plural } from '../../../src-main/contract/present/format';
import { useAddFoundToLibrary, useAppsProgress, useCancelScan, useScanApps } from '../../api/apps';
import { ErrorNotice } from '../../components/ErrorNotice';
import { Badge } from '../../components/ui/badge';
import { Button } from '../../components/ui/button';
import { Input } from '../../components/ui/input';
import { Sheet } from '../../components/ui/sheet';
import { Adopt, AdoptRepo } from './AdoptActions';
import { Reclaim } from './Reclaim';

/** Runnable files of one app folder grouped by the Hub repo their path names, where a repo has several. */
function byRepo(models: FoundModel[]): [string, FoundModel[]][] {
  const groups = new Map<string, FoundModel[]>();
  for (const m of models) if (m.hint && m.format === 'gguf' && !m.problem) groups.set(m.hint.repo, [...(groups.get(m.hint.repo) ?? []), m]);
  return [...groups].filter(([, g]) => g.length > 1);
}

function FoundRow({ model, onAdd, adding }: { model: FoundModel; onAdd: () => void; adding: boolean }) {
  const facts = [model.format === 'gguf' ? 'GGUF' : 'safetensors', model.summary?.architecture, model.summary?.quantization].filter(Boolean);
  return (
    <li className="space-y-2 py-3" data-testid="found-model" data-app={model.app}>
      <div className="flex items-start gap-2">
        <div className="min-w-0 flex-1">
          <p className="truncate text-sm font-medium" title={model.path}>
            {model.name}
          </p>
          <p className="truncate text-xs text-muted-foreground">
            {formatBytes(model.size)} · {facts.join(' · ')}
            {model.hint ? ` · from ${model.hint.repo}` : ''}
          </p>
          {model.problem ? <p className="text-xs text-danger">{model.problem}</p> : null}
        </div>
        {model.libraryKey ? (
          <Badge tone="success">In Library</Badge>
        ) : model.problem ? null : (
          <Button size="sm" variant="ghost" onClick={onAdd} disabled={adding} aria-label={`Add ${model.name} to the Library`}>
            <Plus /> Library
          </Button>
        )}
      </div>
      {model.format === 'gguf' && !model.problem ? <Adopt model={model} /> : null}
    </li>
  );
}

function Report({ report, onRescan, rescanning }: { report: AppsReport; onRescan: () => void; rescanning: boolean }) {
  const add = useAddFoundToLibrary();
  const [added, setAdded] = useState(new Set<string>());
  const addPaths = (paths: string[]) => add.mutate(paths, { onSuccess: () => setAdded((s) => new Set([...s, ...paths])) });
  const folders = report.folders.filter((f) => f.exists);
  const models = report.models.map((m) => (added.has(m.path) && !m.libraryKey ? { ...m, libraryKey: 'added' } : m));
  const addable = models.filter((m) => !m.libraryKey && !m.problem);
  if (!folders.length) return <p className="p-4 text-sm text-muted-foreground">None of the known folders exists on this computer.</p>;
  return (
    <div className="space-y-4 p-4">
      <div className="flex flex-wrap items-center gap-2 text-sm">
        <span className="flex-1">
          {plural(report.models.length, 'model file')} in {plural(folders.length, 'folder')}
          {report.duplicatedBytes ? `; ${formatBytes(report.duplicatedBytes)} duplicated (the same bytes in two places)` : ''}.
        </span>
        <Button size="sm" variant="ghost" onClick={onRescan} disabled={rescanning}>
          <ScanSearch />
          {rescanning ? 'Looking…' : 'Look again'}
        </Button>
        {addable.length ? (
          <Button size="sm" variant="primary" onClick={() => addPaths(addable.map((m) => m.path))} disabled={add.isPending}>
            <Plus /> Add {addable.length === 1 ? 'it' : `all ${addable.length}`} to the Library
          </Button>
        ) : null}
      </div>
      {report.duplicatedBytes ? <Reclaim /> : null}
      {add.error ? <ErrorNotice error={add.error} /> : null}
      {add.data?.skipped.length ? (
        <ul className="text-xs text-muted-foreground">
          {add.data.skipped.map((s) => (
            <li key={s.path}>
              {s.path.split(/[\\/]/).pop()}: {s.reason}
            </li>
          ))}
        </ul>
      ) : null}
      {folders.map((f) => {
        const here = models.filter((m) => m.app === f.app && m.path.startsWith(f.root));
        return (
          <section key={f.root} aria-label={APP_NAMES[f.app]} data-testid="found-app">
            <h3 className="text-sm font-semibold">
              {APP_NAMES[f.app]} <span className="font-normal text-muted-foreground">({plural(here.length, 'model')})</span>
            </h3>
            <p className="break-all font-mono text-xs text-muted-foreground" title={f.because}>
              {f.root}
            </p>
            <ul className="divide-y divide-border">
              {here.map((m) => (
                <FoundRow key={m.path} model={m} onAdd={() => addPaths([m.path])} adding={add.isPending} />
              ))}
            </ul>
            {byRepo(here).map(([repo, group]) => (
              <AdoptRepo key={repo} repo={repo} models={group} />
            ))}
            {f.notes.map((n) => (
              <p key={n} className="text-xs text-warning">
                {n}
              </p>
            ))}
          </section>
        );
      })}
    </div>
  );
}

/**
 * "Find models on this computer": asks first, then looks only in the folders other apps use (LM
 * Studio, Ollama, llama.cpp, Jan, GPT4All, text-generation-webui, ComfyUI), reads nothing else and
 * changes nothing there. What it finds runs in place.
 */
export function FindModelsButton({ onClick }: { onClick: () => void }) {
  return (
    <Button variant="outline" onClick={onClick}>
      <ScanSearch />
      Find models you already have
    </Button>
  );
}

/** The panel, owned by the page so that it stays open while the Library fills (the empty state goes away). */
export function FindModelsPanel({ open, onOpenChange }: { open: boolean; onOpenChange: (open: boolean) => void }) {
  const [hash, setHash] = useState(false);
  const [folders, setFolders] = useState<string[]>([]);
  const [folder, setFolder] = useState('');
  const scan = useScanApps();
  const progress = useAppsProgress(scan.isPending);
  const cancel = useCancelScan();
  return (
    <>
      <Sheet open={open} onOpenChange={onOpenChange} side="right" title="Models on this computer" className="w-[40rem]">
        {!scan.data ? (
          <div className="space-y-3 p-4 text-sm">
            <p>
              Hubcap can look in the folders where {Object.values(APP_NAMES).slice(0, -1).join(', ')} keep their models. It only reads them: nothing is moved,
              changed or uploaded, and what it finds runs where it is.
            </p>
            <form
              className="flex gap-2"
              onSubmit={(e) => {
                e.preventDefault();
                const f = folder.trim();
                if (f && !folders.includes(f)) setFolders([...folders, f]);
                setFolder('');
              }}
            >
              <Input
                className="h-8 flex-1 font-mono text-xs"
                placeholder="Also look in a folder (full path), e.g. /data/models"
                aria-label="Also look in a folder"
                value={folder}
                onChange={(e) => setFolder(e.target.value)}
                spellCheck={false}
              />
              <Button size="sm" type="submit" disabled={!folder.trim()}>
                <Plus /> Add folder
              </Button>
            </form>
            {folders.length ? (
              <ul className="space-y-1 text-xs" aria-label="Your folders">
                {folders.map((f) => (
                  <li key={f} className="flex items-center gap-2 font-mono">
                    <span className="flex-1 break-all">{f}</span>
                    <Button size="sm" variant="ghost" onClick={() => setFolders(folders.filter((x) => x !== f))} aria-label={`Do not look in ${f}`}>
                      Remove
                    </Button>
                  </li>
                ))}
              </ul>
            ) : null}
            <label className="flex items-center gap-2 text-xs text-muted-foreground">
              <input type="checkbox" checked={hash} onChange={(e) => setHash(e.target.checked)} />
              Also find duplicates by content (reads every same-size file once; slow for big folders)
            </label>
            <Button variant="primary" onClick={() => scan.mutate({ hash, folders })} disabled={scan.isPending}>
              <ScanSearch />
              {scan.isPending ? 'Looking…' : 'Look in these folders'}
            </Button>
            {scan.isPending ? (
              <div className="flex items-center gap-2 text-xs text-muted-foreground">
                <p role="status" className="flex-1">
                  {progress
                    ? `${progress.phase === 'listing' ? 'Listing' : progress.phase === 'reading' ? 'Reading headers' : 'Hashing'}: ${progress.done} of ${progress.total}`
                    : 'Starting…'}
                </p>
                <Button size="sm" variant="ghost" onClick={() => cancel.mutate()}>
                  Stop
                </Button>
              </div>
            ) : null}
            {scan.error ? <ErrorNotice error={scan.error} onRetry={() => scan.mutate({ hash, folders })} /> : null}
          </div>
        ) : (
          <Report key={scan.data.scannedAt} report={scan.data} onRescan={() => scan.mutate({ hash, folders })} rescanning={scan.isPending} />
        )}
      </Sheet>
    </>
  );
}
