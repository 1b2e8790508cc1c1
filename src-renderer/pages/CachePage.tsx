import { useMemo, useRef, useState } from 'react';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useVirtualizer } from '@tanstack/react-virtual';
import { useLocation, useParams } from 'wouter';
import { AlertTriangle, Brush, FolderOpen, HardDrive, RefreshCw, Search, ShieldCheck, Trash2 } from 'lucide-react';
import type { CacheOverview, CacheRepoView, DeletePlanView, DeleteTargetInput } from '../../src-main/contract/cache';
import { formatAgo, formatBytes, plural } from '../../src-main/contract/present/format';
import { useApi, useApiQuery } from '../api/context';
import { PageHeader } from '../components/PageHeader';
import { PathField } from '../components/PathField';
import { ErrorNotice } from '../components/ErrorNotice';
import { Treemap } from '../components/Treemap';
import { Badge } from '../components/ui/badge';
import { Button } from '../components/ui/button';
import { Card, CardBody, CardHeader } from '../components/ui/card';
import { Dialog } from '../components/ui/dialog';
import { Input } from '../components/ui/input';
import { cn } from '../lib/cn';

/** Plan first, show exactly what it frees, then delete on confirmation. */
function useDeleteFlow() {
  const api = useApi();
  const client = useQueryClient();
  const [targets, setTargets] = useState<DeleteTargetInput[] | null>(null);
  const [title, setTitle] = useState('');
  const plan = useMutation({ mutationFn: (t: DeleteTargetInput[]) => api.call('cache.planDelete', { targets: t }) });
  const run = useMutation({
    mutationFn: (t: DeleteTargetInput[]) => api.call('cache.delete', { targets: t }),
    onSuccess: () => {
      setTargets(null);
      void client.invalidateQueries({ queryKey: ['cache.scan'] });
    },
  });
  const ask = (t: DeleteTargetInput[], what: string) => {
    setTargets(t);
    setTitle(what);
    run.reset();
    plan.mutate(t);
  };
  const dialog = (
    <Dialog
      open={targets !== null}
      onOpenChange={(o) => !o && setTargets(null)}
      title={title}
      description="Nothing outside the cache is touched; blobs still used by other revisions are kept."
    >
      {plan.error ? <ErrorNotice error={plan.error} /> : null}
      {plan.data ? <PlanPreview plan={plan.data} /> : <p className="text-sm text-muted-foreground">Working out what this frees…</p>}
      {run.error ? <ErrorNotice error={run.error} className="mt-3" /> : null}
      <div className="mt-5 flex justify-end gap-2">
        <Button onClick={() => setTargets(null)}>Keep</Button>
        <Button variant="danger" disabled={!plan.data || run.isPending} onClick={() => targets && run.mutate(targets)}>
          <Trash2 />
          Delete {plan.data ? formatBytes(plan.data.freedBytes) : ''}
        </Button>
      </div>
    </Dialog>
  );
  return { ask, dialog };
}

function PlanPreview({ plan }: { plan: DeletePlanView }) {
  return (
    <div className="space-y-2" data-testid="delete-plan">
      <p className="text-2xl font-semibold">{formatBytes(plan.freedBytes)} freed</p>
      <ul className="max-h-48 space-y-1 overflow-y-auto text-sm">
        {plan.summary.map((s) => (
          <li key={s.label} className="flex justify-between gap-4">
            <span className="truncate font-mono">{s.label}</span>
            <span className="shrink-0 text-muted-foreground">{formatBytes(s.bytes)}</span>
          </li>
        ))}
      </ul>
    </div>
  );
}

function RepoList({ repos, selected, onSelect }: { repos: CacheRepoView[]; selected: string | null; onSelect: (key: string) => void }) {
  const parent = useRef<HTMLDivElement>(null);
  const virtual = useVirtualizer({ count: repos.length, getScrollElement: () => parent.current, estimateSize: () => 52, overscan: 12 });
  return (
    <div ref={parent} className="h-[28rem] overflow-y-auto rounded-lg border border-border" data-testid="repo-list">
      <div style={{ height: virtual.getTotalSize(), position: 'relative' }}>
        {virtual.getVirtualItems().map((row) => {
          const r = repos[row.index] as CacheRepoView;
          return (
            <button
              key={r.key}
              type="button"
              onClick={() => onSelect(r.key)}
              aria-current={selected === r.key ? 'true' : undefined}
              className={cn(
                'absolute left-0 flex w-full items-center gap-3 border-b border-border px-3 text-left text-sm hover:bg-muted',
                selected === r.key && 'bg-accent hover:bg-accent',
              )}
              style={{ top: row.start, height: row.size }}
            >
              <div className="min-w-0 flex-1">
                <div className="truncate font-medium">{r.id}</div>
                <div className="text-xs text-muted-foreground">
                  {r.type} · {r.revisions.length} revision{r.revisions.length === 1 ? '' : 's'} · used {formatAgo(r.lastAccessed)}
                </div>
              </div>
              <span className="shrink-0 font-mono text-xs">{formatBytes(r.sizeOnDisk)}</span>
            </button>
          );
        })}
      </div>
    </div>
  );
}

function FileList({ repo, commit }: { repo: string; commit: string }) {
  const files = useApiQuery('cache.files', { repo, commit });
  const parent = useRef<HTMLDivElement>(null);
  const list = files.data ?? [];
  const virtual = useVirtualizer({ count: list.length, getScrollElement: () => parent.current, estimateSize: () => 30, overscan: 20 });
  if (files.error) return <ErrorNotice error={files.error} />;
  return (
    <div ref={parent} className="max-h-64 overflow-y-auto rounded-md border border-border" data-testid="file-list">
      <div style={{ height: virtual.getTotalSize(), position: 'relative' }}>
        {virtual.getVirtualItems().map((row) => {
          const f = list[row.index];
          if (!f) return null;
          return (
            <div key={f.path} className="absolute left-0 flex w-full items-center gap-3 px-3 text-xs" style={{ top: row.start, height: row.size }}>
              <span className="min-w-0 flex-1 truncate font-mono">{f.path}</span>
              {f.linked ? null : <Badge>copy</Badge>}
              <span className="shrink-0 font-mono text-muted-foreground">{formatBytes(f.size)}</span>
            </div>
          );
        })}
      </div>
    </div>
  );
}

function RepoDetail({ repo, ask }: { repo: CacheRepoView; ask: (t: DeleteTargetInput[], what: string) => void }) {
  const api = useApi();
  const info = useApiQuery('app.info', {});
  const [open, setOpen] = useState<string | null>(null);
  const verify = useMutation({ mutationFn: () => api.call('cache.verify', { repo: repo.key }) });
  const show = useMutation({ mutationFn: () => api.call('places.open', { place: 'cacheRepo', repo: repo.key }) });
  const client = useQueryClient();
  const [, navigate] = useLocation();
  const repair = useMutation({
    mutationFn: () => api.call('cache.repair', { repo: repo.key }),
    onSuccess: () => {
      void client.invalidateQueries({ queryKey: ['downloads.list'] });
      navigate('/downloads');
    },
  });
  return (
    <div className="space-y-4" data-testid="repo-detail">
      <div className="flex items-start gap-3">
        <div className="min-w-0 flex-1">
          <h3 className="truncate text-lg font-semibold">{repo.id}</h3>
          <p className="text-sm text-muted-foreground">
            {formatBytes(repo.sizeOnDisk)} on disk · {plural(repo.nbFiles, 'blob')} · last used {formatAgo(repo.lastAccessed)}
          </p>
        </div>
        {info.data?.capabilities.openInFileManager ? (
          <Button size="sm" onClick={() => show.mutate()}>
            <FolderOpen />
            Show
          </Button>
        ) : null}
        <Button size="sm" onClick={() => verify.mutate()} disabled={verify.isPending}>
          <ShieldCheck />
          {verify.isPending ? 'Verifying…' : 'Verify'}
        </Button>
        <Button size="sm" variant="danger" onClick={() => ask([{ kind: 'repo', repo: repo.key }], `Delete ${repo.id}?`)}>
          <Trash2 />
          Delete repo
        </Button>
      </div>
      {verify.data ? (
        verify.data.corrupt.length ? (
          <div role="alert" className="space-y-2 rounded-md border border-danger/40 bg-danger/10 p-3 text-sm text-danger">
            <p>
              {verify.data.corrupt.length} of {plural(verify.data.checked, 'blob')} {verify.data.corrupt.length === 1 ? 'is' : 'are'} corrupt:{' '}
              {verify.data.corrupt.flatMap((c) => c.files).join(', ')}
            </p>
            <Button size="sm" onClick={() => repair.mutate()} disabled={repair.isPending}>
              Re-download the corrupt files
            </Button>
          </div>
        ) : (
          <p className="text-sm text-success" data-testid="verify-ok">
            {verify.data.checked === 1 ? 'The one blob matches its hash.' : `All ${verify.data.checked} blobs match their hashes.`}
          </p>
        )
      ) : null}
      {verify.data?.unverifiable.length ? (
        <p className="text-sm text-warning" data-testid="verify-unverifiable">
          {plural(verify.data.unverifiable.length, 'copied file')} could not be checked: no record of {verify.data.unverifiable.length === 1 ? 'its' : 'their'}{' '}
          hash here, and the Hub was not asked (offline).
        </p>
      ) : null}
      {verify.error ? <ErrorNotice error={verify.error} /> : null}
      {repair.error ? <ErrorNotice error={repair.error} /> : null}
      <ul className="space-y-2">
        {repo.revisions.map((rev) => (
          <li key={rev.commit} className="rounded-lg border border-border p-3" data-testid="revision">
            <div className="flex items-center gap-2">
              <code className="font-mono text-sm">{rev.commit.slice(0, 10)}</code>
              {rev.refs.length ? (
                rev.refs.map((r) => (
                  <Badge key={r} tone="primary">
                    {r}
                  </Badge>
                ))
              ) : (
                <Badge>detached</Badge>
              )}
              <span className="flex-1" />
              <span className="text-xs text-muted-foreground">
                {plural(rev.nbFiles, 'file')} · {formatBytes(rev.sizeOnDisk)} · {formatAgo(rev.lastModified)}
              </span>
              <Button size="sm" variant="ghost" onClick={() => setOpen(open === rev.commit ? null : rev.commit)}>
                {open === rev.commit ? 'Hide files' : 'Files'}
              </Button>
              <Button
                size="sm"
                variant="ghost"
                aria-label={`Delete revision ${rev.commit.slice(0, 8)}`}
                onClick={() => ask([{ kind: 'revision', repo: repo.key, commit: rev.commit }], `Delete revision ${rev.refs[0] ?? rev.commit.slice(0, 8)}?`)}
              >
                <Trash2 />
              </Button>
            </div>
            {open === rev.commit ? (
              <div className="mt-2">
                <FileList repo={repo.key} commit={rev.commit} />
              </div>
            ) : null}
          </li>
        ))}
      </ul>
    </div>
  );
}

/** What can go (orphans, stale unfinished downloads, detached revisions), planned first like a delete. */
function Cleanup({ scan, ask }: { scan: CacheOverview; ask: (t: DeleteTargetInput[], what: string) => void }) {
  const stale = scan.incomplete.filter((f) => !f.active);
  const inUse = scan.incomplete.length - stale.length;
  const detached = scan.repos.flatMap((r) => r.revisions.filter((v) => v.refs.length === 0));
  if (!scan.orphans.length && !stale.length && !detached.length && !scan.warnings.length) return null;
  const targets: DeleteTargetInput[] = [
    ...(scan.orphans.length ? [{ kind: 'orphans' as const }] : []),
    ...(stale.length ? [{ kind: 'incomplete' as const }] : []),
    ...(detached.length ? [{ kind: 'detached' as const }] : []),
  ];
  const sum = (list: { size: number }[]) => formatBytes(list.reduce((a, f) => a + f.size, 0));
  const parts = [
    scan.orphans.length ? `${plural(scan.orphans.length, 'orphan blob')} (${sum(scan.orphans)})` : null,
    stale.length ? `${plural(stale.length, 'stale unfinished download')} (${sum(stale)})` : null,
    detached.length ? `${plural(detached.length, 'detached revision')} (no branch or tag points at ${detached.length === 1 ? 'it' : 'them'})` : null,
  ].filter(Boolean);
  return (
    <Card>
      <CardHeader
        icon={<Brush />}
        title={targets.length ? 'Clean up' : 'Problems found'}
        description={
          targets.length
            ? `Can go: ${parts.join(', ')}.${inUse ? ` ${plural(inUse, 'unfinished download')} ${inUse === 1 ? 'is' : 'are'} being written right now and ${inUse === 1 ? 'stays' : 'stay'}.` : ''}`
            : 'Hubcap leaves these alone; they may come from other tools.'
        }
        actions={
          targets.length ? (
            <Button size="sm" onClick={() => ask(targets, 'Clean up the cache?')}>
              <Brush />
              Clean up…
            </Button>
          ) : undefined
        }
      />
      {scan.warnings.length ? (
        <CardBody>
          <ul className="space-y-1 text-sm" data-testid="cache-warnings">
            {scan.warnings.map((w) => (
              <li key={w.path + w.kind} className="flex items-start gap-2 text-warning">
                <AlertTriangle className="mt-0.5 size-4 shrink-0" />
                {w.message}
              </li>
            ))}
          </ul>
        </CardBody>
      ) : null}
    </Card>
  );
}

export function CachePage() {
  // Re-asked on each visit; the core answers from its warm scan when it is recent.
  const scan = useApiQuery('cache.scan', {}, { staleTime: 2000, refetchOnMount: true });
  const api = useApi();
  const client = useQueryClient();
  const rescan = useMutation({
    mutationFn: () => api.call('cache.scan', { fresh: true }),
    onSuccess: (data) => client.setQueryData(['cache.scan', {}], data),
  });
  const params = useParams<{ key?: string }>();
  const [, navigate] = useLocation();
  const [filter, setFilter] = useState('');
  const selected = params.key ? decodeURIComponent(params.key) : null;
  const { ask, dialog } = useDeleteFlow();
  const repos = useMemo(() => {
    const all = [...(scan.data?.repos ?? [])].sort((a, b) => b.sizeOnDisk - a.sizeOnDisk);
    const f = filter.trim().toLowerCase();
    return f ? all.filter((r) => r.id.toLowerCase().includes(f)) : all;
  }, [scan.data, filter]);
  const current = scan.data?.repos.find((r) => r.key === selected) ?? null;
  const select = (key: string) => navigate(`/cache/${encodeURIComponent(key)}`);
  return (
    <div className="mx-auto max-w-6xl space-y-6 p-8">
      <PageHeader
        title="Cache"
        description="The Hugging Face cache, shared with Python tools: readable names instead of hashes."
        actions={
          <Button onClick={() => rescan.mutate()} disabled={scan.isFetching || rescan.isPending}>
            <RefreshCw className={cn((scan.isFetching || rescan.isPending) && 'animate-spin')} />
            Rescan
          </Button>
        }
      />
      {scan.error ? <ErrorNotice error={scan.error} /> : null}
      {scan.data ? (
        <>
          <Card>
            <CardHeader
              icon={<HardDrive />}
              title={`${formatBytes(scan.data.sizeOnDisk)} in ${scan.data.repos.length} repo${scan.data.repos.length === 1 ? '' : 's'}`}
              description={
                scan.data.exists
                  ? 'Disk usage by repo (colour) and revision (tile). Click a tile to open it.'
                  : 'The cache folder does not exist yet; it is created on the first download.'
              }
            />
            <CardBody>
              <PathField label="Cache folder" path={scan.data.root} place="hubCache" />
              <Treemap repos={scan.data.repos} selected={selected} onSelect={select} />
            </CardBody>
          </Card>
          <Cleanup scan={scan.data} ask={ask} />
          {scan.data.repos.length ? (
            <div className="grid grid-cols-[20rem_1fr] gap-6">
              <div className="space-y-2">
                <div className="relative">
                  <Search className="absolute left-2.5 top-2.5 size-4 text-muted-foreground" />
                  <Input value={filter} onChange={(e) => setFilter(e.target.value)} placeholder="Filter repos" className="pl-8" aria-label="Filter repos" />
                </div>
                <RepoList repos={repos} selected={selected} onSelect={select} />
              </div>
              <Card>
                <CardBody>
                  {current ? (
                    <RepoDetail key={current.key} repo={current} ask={ask} />
                  ) : (
                    <p className="text-sm text-muted-foreground">Pick a repo to see its revisions and files.</p>
                  )}
                </CardBody>
              </Card>
            </div>
          ) : null}
        </>
      ) : null}
      {dialog}
    </div>
  );
}
