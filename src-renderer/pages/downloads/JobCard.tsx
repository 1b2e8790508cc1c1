import { useState } from 'react';
import { CheckCircle2, ChevronDown, ChevronRight, Download, Loader2, XCircle } from 'lucide-react';
import { savedBytes, staleSourcesOf, type DownloadJob } from '../../../src-main/contract/downloads';
import { formatBytes, formatDuration, plural } from '../../../src-main/contract/present/format';
import { DownloadProblem } from '../../components/DownloadProblem';
import { Badge } from '../../components/ui/badge';
import { Button } from '../../components/ui/button';
import { Progress } from '../../components/ui/progress';
import { JobActions } from './JobActions';
import { JobFiles } from './JobFiles';
import { RetryCountdown } from './RetryCountdown';

const STATE_LOOK: Record<DownloadJob['state'], { label: string; tone: 'neutral' | 'primary' | 'success' | 'warning' | 'danger' }> = {
  queued: { label: 'Queued', tone: 'neutral' },
  resolving: { label: 'Preparing', tone: 'neutral' },
  downloading: { label: 'Downloading', tone: 'primary' },
  paused: { label: 'Paused', tone: 'warning' },
  done: { label: 'Done', tone: 'success' },
  error: { label: 'Failed', tone: 'danger' },
  cancelled: { label: 'Cancelled', tone: 'neutral' },
};

function StateIcon({ state }: { state: DownloadJob['state'] }) {
  if (state === 'done') return <CheckCircle2 className="size-5 text-success" />;
  if (state === 'error') return <XCircle className="size-5 text-danger" />;
  if (state === 'downloading' || state === 'resolving') return <Loader2 className="size-5 animate-spin text-primary" />;
  return <Download className="size-5 text-muted-foreground" />;
}

export function JobCard({ job }: { job: DownloadJob }) {
  const [showFiles, setShowFiles] = useState(false);
  const look = STATE_LOOK[job.state];
  const pct = job.bytesTotal ? (job.bytesDone / job.bytesTotal) * 100 : job.state === 'done' ? 100 : 0;
  const filesDone = job.files.filter((f) => f.state === 'done').length;
  const xetFiles = job.files.filter((f) => f.via === 'xet').length;
  const checking = job.files.filter((f) => f.checking);
  const saved = savedBytes(job.files);
  const stale = Object.entries(staleSourcesOf(job.files));
  const waiting = job.files.filter((f) => f.state === 'waiting');
  const selection = [...(job.request.files ?? []), ...(job.request.patterns ?? [])];
  return (
    <li data-testid="download-job" data-state={job.state} className="space-y-3 rounded-xl border border-border bg-card p-4">
      <div className="flex items-center gap-3">
        <StateIcon state={job.state} />
        <div className="min-w-0 flex-1">
          <div className="truncate font-medium">
            {job.request.repo}
            <span className="ml-1.5 font-mono text-xs text-muted-foreground">@{job.request.revision}</span>
          </div>
          <div className="truncate text-xs text-muted-foreground">{selection.length ? selection.join('  ') : 'Whole revision'}</div>
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
        {xetFiles ? (
          <span data-testid="job-via-xet" title="Fetched as xorb ranges from the Hub's Xet storage, verified by sha256.">
            {plural(xetFiles, 'file')} via Xet
          </span>
        ) : null}
        {saved ? (
          <span
            data-testid="job-saved"
            title="Not downloaded: taken from files already on this machine (another repo, the shared store, an older revision), or parts a file repeats, downloaded once and written again."
          >
            {formatBytes(saved)} saved
          </span>
        ) : null}
        {job.state === 'downloading' && !job.retrying ? (
          <>
            <span>{formatBytes(job.speed)}/s</span>
            {job.connections ? (
              <span data-testid="job-connections" title="Range connections in use now; Auto opens more while the link gives more.">
                {plural(job.connections, 'connection')}
              </span>
            ) : null}
            <span>ETA {formatDuration(job.etaSeconds)}</span>
          </>
        ) : null}
        {job.commit ? <span className="font-mono">commit {job.commit.slice(0, 8)}</span> : null}
        {job.retrying ? <RetryCountdown retry={job.retrying} /> : null}
        {job.files.length ? (
          <Button
            size="sm"
            variant="ghost"
            className="-my-1 ml-auto h-6 px-2 text-xs [&_svg]:size-3.5"
            aria-expanded={showFiles}
            onClick={() => setShowFiles(!showFiles)}
          >
            {showFiles ? <ChevronDown /> : <ChevronRight />}
            {showFiles ? 'Hide files' : 'Files'}
          </Button>
        ) : null}
      </div>
      {showFiles && job.files.length ? <JobFiles files={job.files} /> : null}
      {checking.length ? (
        <p className="text-xs text-muted-foreground" data-testid="job-checking">
          Checking {checking.map((f) => `${f.path} (${Math.floor((100 * (f.checking?.done ?? 0)) / Math.max(1, f.checking?.total ?? 1))}%)`).join(', ')} already
          on disk by sha256 before trusting it.
        </p>
      ) : null}
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
      {stale.length ? (
        <div className="space-y-1 text-xs text-warning" data-testid="job-stale">
          {stale.map(([file, copies]) => (
            <p key={file} className="break-words">
              The old copy of {file} on this machine no longer matches its sha256, so nothing was reused from it and its bytes came from the network:{' '}
              <span className="font-mono break-all">{copies.join(', ')}</span>
            </p>
          ))}
        </div>
      ) : null}
      <DownloadProblem job={job} />
    </li>
  );
}
