import { useState } from 'react';
import { Check, Copy, HardDriveDownload, Link2, Plus, ScanSearch, Sparkles } from 'lucide-react';
import { APP_NAMES, type AdoptResult, type AppsReport, type FoundModel } from '../../../src-main/contract/apps';
import { formatBytes, plural } from '../../../src-main/contract/present/format';
import { useAddFoundToLibrary, useAdopt, useAdoptRepo, useAppsProgress, useCancelScan, useReclaim, useReclaimPlan, useScanApps } from '../../api/apps';
import { ErrorNotice } from '../../components/ErrorNotice';
import { Badge } from '../../components/ui/badge';
import { Button } from '../../components/ui/button';
import { Input } from '../../components/ui/input';
import { Sheet } from '../../components/ui/sheet';
import { Switch } from '../../components/ui/switch';

const HOW: Record<AdoptResult['steps'][number]['how'], string> = {
  present: 'Already in the Hugging Face cache: nothing to write.',
  clone: 'A copy-on-write clone: no extra space, and the two copies stay independent.',
  link: 'A hard link: no extra space. The two names then share the same bytes, so an app that rewrote its file in place would change the cache’s copy too.',
  copy: 'A copy',
};

/**
 * "Add to Hugging Face cache": the plan (how, and what it costs) before anything is written. A file
 * whose path names no repo can be pointed at one; its sha256 confirms or refuses it.
 */
function Adopt({ model }: { model: FoundModel }) {
  const plan = useAdopt();
  const run = useAdopt();
  const [repo, setRepo] = useState('');
  const named = model.hint ? {} : { repo: repo.trim() };
  const step = plan.data?.steps[0];
  if (run.data) {
    return (
      <p className="text-xs text-success" data-testid="adopted">
        <Check className="inline size-3.5" /> In the Hugging Face cache as {run.data.repo}/{run.data.steps[0]?.file}: Python finds it without downloading.
      </p>
    );
  }
  return (
    <div className="space-y-2">
      {!plan.data ? (
        <form
          className="flex gap-2"
          onSubmit={(e) => {
            e.preventDefault();
            plan.mutate({ path: model.path, ...named, mode: 'auto', dryRun: true });
          }}
        >
          {model.hint ? null : (
            <Input
              className="h-8 flex-1 text-xs"
              placeholder="Which Hub repo is it from? org/name"
              aria-label={`Hub repo of ${model.name}`}
              value={repo}
              onChange={(e) => setRepo(e.target.value)}
              spellCheck={false}
            />
          )}
          <Button size="sm" variant="outline" type="submit" disabled={plan.isPending || (!model.hint && !repo.includes('/'))}>
            <HardDriveDownload />
            {plan.isPending ? 'Checking it against the Hub…' : 'Add to Hugging Face cache'}
          </Button>
        </form>
      ) : step ? (
        <div className="rounded-md border border-border bg-muted/40 p-3 text-xs" data-testid="adopt-plan">
          <p>
            Confirmed by its sha256: it is <span className="font-medium">{plan.data.repo}</span>/{step.file} at commit {plan.data.commit.slice(0, 8)}.
          </p>
          <p className="mt-1 text-muted-foreground">
            {step.how === 'copy'
              ? `${HOW.copy}: ${formatBytes(step.bytes)} more on the cache’s drive (this disk cannot clone files, or they are on different drives).`
              : HOW[step.how]}
          </p>
          {step.how === 'copy' ? <p className="mt-1 text-muted-foreground">{HOW.link}</p> : null}
          <div className="mt-2 flex gap-2">
            <Button
              size="sm"
              variant="primary"
              onClick={() => run.mutate({ path: model.path, ...named, mode: step.how === 'present' ? 'auto' : step.how, dryRun: false })}
              disabled={run.isPending}
            >
              {step.how === 'link' ? <Link2 /> : step.how === 'copy' ? <Copy /> : <Sparkles />}
              {run.isPending ? 'Adding…' : step.how === 'copy' ? `Copy ${formatBytes(step.bytes)}` : 'Add it'}
            </Button>
            {step.how === 'copy' ? (
              <Button
                size="sm"
                variant="outline"
                onClick={() => run.mutate({ path: model.path, ...named, mode: 'link', dryRun: false })}
                disabled={run.isPending}
              >
                <Link2 /> Hard link instead
              </Button>
            ) : null}
            <Button size="sm" variant="ghost" onClick={() => plan.reset()}>
              Cancel
            </Button>
          </div>
        </div>
      ) : null}
      {plan.error ? <ErrorNotice error={plan.error} /> : null}
      {run.error ? <ErrorNotice error={run.error} /> : null}
    </div>
  );
}

/** Every file of one repo in an app's folder into one snapshot: planned (each confirmed by hash), then on confirmation. */
function AdoptRepo({ repo, models }: { repo: string; models: FoundModel[] }) {
  const plan = useAdoptRepo();
  const run = useAdoptRepo();
  const paths = models.map((m) => m.path);
  if (run.data)
    return (
      <p className="text-xs text-success" data-testid="adopted-repo">
        <Check className="inline size-3.5" /> {plural(run.data.steps.length, 'file')} of {repo} in the Hugging Face cache.
      </p>
    );
  const bytes = plan.data?.steps.reduce((a, s) => a + s.bytes, 0) ?? 0;
  return (
    <div className="space-y-2" data-testid="adopt-repo">
      {!plan.data ? (
        <Button size="sm" variant="outline" onClick={() => plan.mutate({ paths, mode: 'auto', dryRun: true })} disabled={plan.isPending}>
          <HardDriveDownload />
          {plan.isPending ? 'Checking them against the Hub…' : `Add all ${models.length} files of ${repo} to the Hugging Face cache`}
        </Button>
      ) : (
        <div className="rounded-md border border-border bg-muted/40 p-3 text-xs">
          <p>
            All {plan.data.steps.length} confirmed by sha256 at commit {plan.data.commit.slice(0, 8)};{' '}
            {bytes ? `${formatBytes(bytes)} to copy` : 'no extra space'}.
          </p>
          <div className="mt-2 flex gap-2">
            <Button size="sm" variant="primary" onClick={() => run.mutate({ paths, mode: 'auto', dryRun: false })} disabled={run.isPending}>
              {run.isPending ? 'Adding…' : 'Add them'}
            </Button>
            <Button size="sm" variant="ghost" onClick={() => plan.reset()}>
              Cancel
            </Button>
          </div>
        </div>
      )}
      {plan.error ? <ErrorNotice error={plan.error} /> : null}
      {run.error ? <ErrorNotice error={run.error} /> : null}
    </div>
  );
}

/** Runnable files of one app folder grouped by the Hub repo their path names, where a repo has several. */
function byRepo(models: FoundModel[]): [string, FoundModel[]][] {
  const groups = new Map<string, FoundModel[]>();
  for (const m of models) if (m.hint && m.format === 'gguf' && !m.problem) groups.set(m.hint.repo, [...(groups.get(m.hint.repo) ?? []), m]);
  return [...groups].filter(([, g]) => g.length > 1);
}

/** Duplicated bytes: the plan first (exact bytes, what changes), then only on confirmation. */
function Reclaim() {
  const plan = useReclaimPlan();
  const run = useReclaim();
  const [allowLink, setAllowLink] = useState(false);
  if (run.data)
    return (
      <div className="text-xs" data-testid="reclaimed">
        <p className="text-success">Freed {formatBytes(run.data.freed)}.</p>
        {run.data.notes.map((n) => (
          <p key={n} className="mt-1 text-muted-foreground">
            {n}
          </p>
        ))}
      </div>
    );
  if (!plan.data)
    return (
      <Button size="sm" variant="outline" onClick={() => plan.mutate()} disabled={plan.isPending}>
        Free duplicated space…
      </Button>
    );
  return (
    <div className="w-full rounded-md border border-border bg-muted/40 p-3 text-xs" data-testid="reclaim-plan">
      {plan.data.steps.length ? (
        <>
          <p>
            Frees {formatBytes(plan.data.bytes)}: the Hugging Face cache’s copy of {plural(plan.data.steps.length, 'file')} will share the bytes of the same
            file in {[...new Set(plan.data.steps.map((s) => APP_NAMES[s.app]))].join(', ')}.
          </p>
          <p className="mt-1 text-muted-foreground">
            By copy-on-write clone, where the disk can: the copies stay independent. Nothing in other apps’ folders is changed.
          </p>
          <label className="mt-2 flex items-start gap-2">
            <Switch checked={allowLink} onCheckedChange={setAllowLink} aria-label="Allow hard links" />
            <span>
              Where the disk cannot clone, share by hard link.{' '}
              <span className="text-warning">
                Then the cache and the app share the same bytes: if the app rewrites its file in place, the cached model changes too.
              </span>
            </span>
          </label>
          <div className="mt-2 flex gap-2">
            <Button size="sm" variant="primary" onClick={() => run.mutate({ allowLink })} disabled={run.isPending}>
              Free {formatBytes(plan.data.bytes)}
            </Button>
            <Button size="sm" variant="ghost" onClick={() => plan.reset()}>
              Cancel
            </Button>
          </div>
        </>
      ) : (
        <p>Nothing Hubcap can free by itself: the cache holds none of these files on the same drive.</p>
      )}
      {plan.data.notes.map((n) => (
        <p key={n} className="mt-1 text-muted-foreground">
          {n}
        </p>
      ))}
      {run.error ? <ErrorNotice error={run.error} /> : null}
    </div>
  );
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
