import type { DownloadJob } from '../../../src-main/contract/downloads';
import type { FileGroup } from '../../../src-main/contract/model';
import { formatBytes, formatDuration } from '../../../src-main/contract/present/format';
import { DownloadProblem } from '../../components/DownloadProblem';
import { Progress } from '../../components/ui/progress';
import { JobActions } from '../downloads/JobActions';
import { RetryCountdown } from '../downloads/RetryCountdown';
import type { GroupState } from './local-state';

/**
 * The download of one row, in that row: its bar, bytes, speed, Pause and Cancel while it runs, and
 * why it failed with the fix (Request access, Sign in, Free space) when it did. Feedback where the
 * click was, not only on the Downloads page.
 */
export function RowDownload({ state, jobs, group }: { state: GroupState; jobs: readonly DownloadJob[]; group: FileGroup }) {
  if (state.state !== 'downloading' && state.state !== 'failed') return null;
  const job = jobs.find((j) => j.id === state.jobId);
  if (!job) return null;
  if (state.state === 'failed') return <DownloadProblem job={job} className="py-1" />;
  const pct = state.percent;
  return (
    <div className="flex flex-wrap items-center gap-x-4 gap-y-1.5 py-1" data-testid="row-download" data-job-state={job.state}>
      <Progress value={pct} label={`${group.label} download`} tone={job.state === 'paused' ? 'muted' : 'primary'} className="min-w-40 flex-1" />
      <span className="text-xs text-muted-foreground" data-testid="row-download-stats">
        {pct} % of {formatBytes(group.size)}
        {job.state === 'downloading' && !job.retrying ? ` · ${formatBytes(job.speed)}/s · ETA ${formatDuration(job.etaSeconds)}` : ''}
        {job.state === 'paused' ? ' · paused' : ''}
        {job.state === 'queued' || job.state === 'resolving' ? ' · starting' : ''}
      </span>
      {job.retrying ? <RetryCountdown retry={job.retrying} /> : null}
      <JobActions job={job} />
    </div>
  );
}
