import { useEffect, useState, type FormEvent } from 'react';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { Link } from 'wouter';
import { CheckCircle2, Download, FolderSearch, Loader2, Pause, Play, RotateCcw, Trash2, X, XCircle } from 'lucide-react';
import type { DownloadJob, RetryState } from '../../src-main/contract/downloads';
import { ApiError } from '../../src-main/contract/errors';
import { formatBytes, formatDuration, plural } from '../../src-main/contract/present/format';
import { useApi } from '../api/context';
import { useDownloads } from '../api/downloads';
import { PageHeader } from '../components/PageHeader';
import { ErrorNotice } from '../components/ErrorNotice';
import { ExternalLinkButton } from '../components/ExternalLink';
import { Badge } from '../components/ui/badge';
import { Button } from '../components/ui/button';
import { Card, CardBody, CardHeader } from '../components/ui/card';
import { Input } from '../components/ui/input';
import { Progress } from '../components/ui/progress';
import { Dialog } from '../components/ui/dialog';

const STATE_LOOK: Record<DownloadJob['state'], { label: string; tone: 'neutral' | 'primary' | 'success' | 'warning' | 'danger' }> = {
  queued: { label: 'Queued', tone: 'neutral' },
  resolving: { label: 'Preparing', tone: 'neutral' },
  downloading: { label: 'Downloading', tone: 'primary' },
  paused: { label: 'Paused', tone: 'warning' },
  done: { label: 'Done', tone: 'success' },
  error: { label: 'Failed', tone: 'danger' },
  cancelled: { label: 'Cancelled', tone: 'neutral' },
};

function NewDownload() {
  const api = useApi();
  const client = useQueryClient();
  const [repo, setRepo] = useState('');
  const [revision, setRevision] = useState('main');
  const [selection, setSelection] = useState('');
  const start = useMutation({
    mutationFn: () => {
      const parts = selection.split(/[\s,]+/).filter(Boolean);
      const patterns = parts.filter((p) => /[*?[]/.test(p));
      const files = parts.filter((p) => !/[*?[]/.test(p));
      return api.call('downloads.start', { repo, revision, ...(files.length ? { files } : {}), ...(patterns.length ? { patterns } : {}) });
    },
    onSuccess: (job) => {
      client.setQueryData<DownloadJob[]>(['downloads.list', {}], (old = []) => (old.some((j) => j.id === job.id) ? old : [...old, job]));
      setSelection('');
    },
  });
  const submit = (e: FormEvent) => {
    e.preventDefault();
    start.mutate();
  };
  return (
    <Card>
      <CardHeader
        icon={<Download />}
        title="Download from the Hub"
        description="Into the Hugging Face cache, resumable and verified. Leave files empty for the whole revision."
      />
      <CardBody>
        <form onSubmit={submit} className="grid grid-cols-[2fr_1fr] gap-3">
          <label className="space-y-1 text-sm font-medium">
            Repo id
            <Input value={repo} onChange={(e) => setRepo(e.target.value)} placeholder="org/model-name" spellCheck={false} required aria-label="Repo id" />
          </label>
          <label className="space-y-1 text-sm font-medium">
            Revision
            <Input value={revision} onChange={(e) => setRevision(e.target.value)} spellCheck={false} aria-label="Revision" />
          </label>
          <label className="col-span-2 space-y-1 text-sm font-medium">
            Files or patterns <span className="font-normal text-muted-foreground">(optional: config.json *.gguf *Q4_K_M*)</span>
            <Input value={selection} onChange={(e) => setSelection(e.target.value)} spellCheck={false} aria-label="Files or patterns" className="font-mono" />
          </label>
          <div className="col-span-2 flex items-center gap-3">
            <Button type="submit" variant="primary" disabled={start.isPending || !repo.trim()}>
              <Download />
              Download
            </Button>
            {start.error ? <ErrorNotice error={start.error} className="flex-1" /> : null}
          </div>
        </form>
      </CardBody>
    </Card>
  );
}

function JobActions({ job }: { job: DownloadJob }) {
  const api = useApi();
  const client = useQueryClient();
  const [confirmCancel, setConfirmCancel] = useState(false);
  const [keepPartial, setKeepPartial] = useState(false);
  const act = useMutation({
    mutationFn: async (action: 'pause' | 'resume' | 'cancel' | 'retry' | 'remove') => {
      if (action === 'remove') {
        await api.call('downloads.remove', { id: job.id });
        client.setQueryData<DownloadJob[]>(['downloads.list', {}], (old = []) => old.filter((j) => j.id !== job.id));
        return;
      }
      const next =
        action === 'cancel' ? await api.call('downloads.cancel', { id: job.id, keepPartial }) : await api.call(`downloads.${action}`, { id: job.id });
      client.setQueryData<DownloadJob[]>(['downloads.list', {}], (old = []) => old.map((j) => (j.id === next.id ? next : j)));
    },
  });
  const active = job.state === 'downloading' || job.state === 'queued' || job.state === 'resolving';
  return (
    <div className="flex items-center gap-1.5">
      {active ? (
        <Button size="sm" onClick={() => act.mutate('pause')} aria-label="Pause">
          <Pause />
          Pause
        </Button>
      ) : null}
      {job.state === 'paused' ? (
        <Button size="sm" variant="primary" onClick={() => act.mutate('resume')} aria-label="Resume">
          <Play />
          Resume
        </Button>
      ) : null}
      {job.state === 'error' || job.state === 'cancelled' ? (
        <Button size="sm" onClick={() => act.mutate('retry')} aria-label="Retry">
          <RotateCcw />
          Retry
        </Button>
      ) : null}
      {active || job.state === 'paused' ? (
        <Button size="sm" variant="ghost" onClick={() => setConfirmCancel(true)} aria-label="Cancel">
          <X />
          Cancel
        </Button>
      ) : null}
      <Dialog
        open={confirmCancel}
        onOpenChange={setConfirmCancel}
        title={`Cancel ${job.request.repo}?`}
        description="Files already finished stay in the cache."
      >
        <label className="flex items-center gap-2 text-sm">
          <input type="checkbox" checked={keepPartial} onChange={(e) => setKeepPartial(e.target.checked)} className="size-4 accent-[var(--primary)]" />
          Keep the partial download ({formatBytes(job.bytesDone)}) to resume it later
        </label>
        <div className="mt-5 flex justify-end gap-2">
          <Button onClick={() => setConfirmCancel(false)}>Keep downloading</Button>
          <Button
            variant="danger"
            onClick={() => {
              setConfirmCancel(false);
              act.mutate('cancel');
            }}
          >
            Cancel download
          </Button>
        </div>
      </Dialog>
      {job.state === 'done' ? (
        <Button size="sm" asChild>
          <Link href={`/cache/${encodeURIComponent(`${job.request.repoType}:${job.request.repo}`)}`}>
            <FolderSearch />
            Show in cache
          </Link>
        </Button>
      ) : null}
      {job.state === 'done' || job.state === 'error' || job.state === 'cancelled' ? (
        <Button size="icon" variant="ghost" onClick={() => act.mutate('remove')} aria-label="Remove from list">
          <Trash2 />
        </Button>
      ) : null}
    </div>
  );
}

function JobError({ job }: { job: DownloadJob }) {
  const e = job.error;
  if (!e) return null;
  const repoUrl = (e.details as { repoUrl?: string } | undefined)?.repoUrl;
  return (
    <div className="flex flex-wrap items-center gap-2">
      <ErrorNotice error={new ApiError(e.code, e.message, e.details)} className="flex-1" />
      {e.code === 'GATED' && repoUrl ? <ExternalLinkButton href={repoUrl}>Request access</ExternalLinkButton> : null}
      {e.code === 'GATED' || e.code === 'UNAUTHORIZED' || e.code === 'REPO_NOT_FOUND' ? (
        <Button size="sm" asChild>
          <Link href="/account">Sign in</Link>
        </Button>
      ) : null}
    </div>
  );
}

/** "Retrying in 4 s (attempt 2 of 8)", counting down live; the reason is one hover away. */
function RetryCountdown({ retry }: { retry: RetryState }) {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    const t = setInterval(() => setNow(Date.now()), 250);
    return () => clearInterval(t);
  }, []);
  const seconds = Math.max(0, Math.ceil((Date.parse(retry.nextAt) - now) / 1000));
  return (
    <span className="text-warning" data-testid="job-retrying" title={retry.message}>
      {retry.message.replace(/\.$/, '')}: {seconds > 0 ? `retrying in ${seconds} s` : 'retrying now'} (attempt {retry.attempt} of {retry.maxAttempts})
    </span>
  );
}

function JobCard({ job }: { job: DownloadJob }) {
  const look = STATE_LOOK[job.state];
  const pct = job.bytesTotal ? (job.bytesDone / job.bytesTotal) * 100 : job.state === 'done' ? 100 : 0;
  const filesDone = job.files.filter((f) => f.state === 'done').length;
  const waiting = job.files.filter((f) => f.state === 'waiting');
  return (
    <li data-testid="download-job" data-state={job.state} className="space-y-3 rounded-xl border border-border bg-card p-4">
      <div className="flex items-center gap-3">
        {job.state === 'done' ? (
          <CheckCircle2 className="size-5 text-success" />
        ) : job.state === 'error' ? (
          <XCircle className="size-5 text-danger" />
        ) : job.state === 'downloading' || job.state === 'resolving' ? (
          <Loader2 className="size-5 animate-spin text-primary" />
        ) : (
          <Download className="size-5 text-muted-foreground" />
        )}
        <div className="min-w-0 flex-1">
          <div className="truncate font-medium">
            {job.request.repo}
            <span className="ml-1.5 font-mono text-xs text-muted-foreground">@{job.request.revision}</span>
          </div>
          <div className="truncate text-xs text-muted-foreground">
            {job.request.files?.length || job.request.patterns?.length
              ? [...(job.request.files ?? []), ...(job.request.patterns ?? [])].join('  ')
              : 'Whole revision'}
          </div>
        </div>
        <Badge tone={look.tone} data-testid="job-state">
          {look.label}
        </Badge>
        <JobActions job={job} />
      </div>
      <Progress
        value={pct}
        label={`${job.request.repo} progress`}
        tone={job.state === 'error' ? 'danger' : job.state === 'done' ? 'success' : job.state === 'paused' ? 'muted' : 'primary'}
      />
      <div className="flex flex-wrap gap-x-5 gap-y-1 text-xs text-muted-foreground" data-testid="job-stats">
        <span>
          {formatBytes(job.bytesDone)} of {job.bytesTotal ? formatBytes(job.bytesTotal) : '…'} ({Math.floor(pct)}%)
        </span>
        <span>
          {filesDone}/{job.files.length || '…'} files
        </span>
        {job.state === 'downloading' && !job.retrying ? (
          <>
            <span>{formatBytes(job.speed)}/s</span>
            <span>ETA {formatDuration(job.etaSeconds)}</span>
          </>
        ) : null}
        {job.commit ? <span className="font-mono">commit {job.commit.slice(0, 8)}</span> : null}
        {job.retrying ? <RetryCountdown retry={job.retrying} /> : null}
      </div>
      {waiting.length ? (
        <p className="text-xs text-muted-foreground" data-testid="job-waiting">
          Waiting for another program that is downloading {waiting.map((f) => f.path).join(', ')}; it will be used as soon as it is finished.
        </p>
      ) : null}
      {job.skipped.length ? (
        <p className="text-xs text-warning" data-testid="job-skipped">
          {plural(job.skipped.length, 'file')} not stored: {job.skipped.map((s) => `${s.path} (${s.reason})`).join('; ')}
        </p>
      ) : null}
      <JobError job={job} />
    </li>
  );
}

export function DownloadsPage() {
  const downloads = useDownloads();
  const jobs = [...(downloads.data ?? [])].reverse();
  const active = jobs.filter((j) => j.state !== 'done' && j.state !== 'cancelled' && j.state !== 'error');
  const failed = jobs.filter((j) => j.state === 'error');
  const cancelled = jobs.filter((j) => j.state === 'cancelled');
  const finished = jobs.filter((j) => j.state === 'done');
  return (
    <div className="mx-auto max-w-4xl space-y-6 p-8">
      <PageHeader
        title="Downloads"
        description="Every file is checked against its hash before it lands in the cache; interrupted downloads resume where they stopped."
      />
      <NewDownload />
      {downloads.error ? <ErrorNotice error={downloads.error} /> : null}
      <section className="space-y-3">
        <h2 className="text-sm font-semibold text-muted-foreground">In progress ({active.length})</h2>
        {active.length ? (
          <ul className="space-y-3">
            {active.map((j) => (
              <JobCard key={j.id} job={j} />
            ))}
          </ul>
        ) : (
          <p className="text-sm text-muted-foreground">Nothing downloading.</p>
        )}
      </section>
      {(
        [
          ['Failed', failed],
          ['Cancelled', cancelled],
          ['Finished', finished],
        ] as const
      ).map(([title, list]) =>
        list.length ? (
          <section key={title} className="space-y-3" aria-label={title}>
            <h2 className="text-sm font-semibold text-muted-foreground">
              {title} ({list.length})
            </h2>
            <ul className="space-y-3">
              {list.map((j) => (
                <JobCard key={j.id} job={j} />
              ))}
            </ul>
          </section>
        ) : null,
      )}
    </div>
  );
}
