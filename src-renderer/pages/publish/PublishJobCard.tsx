import { CheckCircle2, CircleX, ShieldCheck, X } from 'lucide-react';
import { ApiError, type ErrorCode } from '../../../src-main/contract/errors';
import type { PublishJob } from '../../../src-main/contract/publish';
import { formatBytes, formatDuration } from '../../../src-main/contract/present/format';
import { usePublishActions } from '../../api/publish';
import { ErrorNotice } from '../../components/ErrorNotice';
import { ExternalLinkButton } from '../../components/ExternalLink';
import { Button } from '../../components/ui/button';
import { Card, CardBody, CardHeader } from '../../components/ui/card';
import { Progress } from '../../components/ui/progress';

const STATE: Record<PublishJob['state'], string> = {
  preparing: 'Preparing',
  hashing: 'Hashing',
  uploading: 'Uploading',
  committing: 'Recording the commit',
  done: 'Published',
  failed: 'Failed',
  cancelled: 'Cancelled',
};

/** One publish: progress while it runs; the commit, the links and the check afterwards. */
export function PublishJobCard({ job }: { job: PublishJob }) {
  const { cancel, verify } = usePublishActions(job.id);
  const running = !['done', 'failed', 'cancelled'].includes(job.state);
  const pct = job.bytesTotal ? (job.bytesSent / job.bytesTotal) * 100 : 0;
  return (
    <Card data-testid="publish-job" data-state={job.state}>
      <CardHeader
        title={`${STATE[job.state]}: ${job.repo}`}
        description={job.part.of > 1 ? `Commit ${job.part.index} of ${job.part.of}` : job.message}
        icon={job.state === 'done' ? <CheckCircle2 /> : job.state === 'failed' ? <CircleX /> : undefined}
        actions={
          running ? (
            <Button
              size="sm"
              onClick={() => cancel.mutate()}
              disabled={!job.cancellable || cancel.isPending}
              title={job.cancellable ? undefined : 'The commit is being recorded'}
            >
              <X />
              Cancel
            </Button>
          ) : undefined
        }
      />
      <CardBody>
        {running ? (
          <div className="space-y-2">
            <Progress
              value={job.state === 'hashing' ? (job.bytesHashed / Math.max(1, job.bytesTotal)) * 100 : pct}
              label="Publish progress"
              tone={job.state === 'hashing' ? 'muted' : 'primary'}
            />
            <p className="text-sm tabular-nums text-muted-foreground" data-testid="publish-progress">
              {job.state === 'hashing'
                ? `Hashing ${formatBytes(job.bytesHashed)} of ${formatBytes(job.bytesTotal)}`
                : `${formatBytes(job.bytesSent)} of ${formatBytes(job.bytesTotal)}`}
              {job.speed > 0 ? ` · ${formatBytes(job.speed)}/s · ${formatDuration(job.etaSeconds)} left` : ''}
              {job.via === 'xet' ? ` · via Xet, ${formatBytes(job.xetBytesSent)} sent` : ''}
            </p>
            {job.active.length > 0 ? (
              <ul className="space-y-0.5 text-xs text-muted-foreground">
                {job.active.map((a) => (
                  <li key={a.path} className="truncate font-mono">
                    {a.state === 'hashing' ? 'hashing' : 'sending'} {a.path} · {Math.round(a.fraction * 100)} %
                  </li>
                ))}
              </ul>
            ) : null}
          </div>
        ) : null}
        {job.state === 'failed' && job.error ? (
          <div className="space-y-1">
            <ErrorNotice error={new ApiError(job.error.code as ErrorCode, job.error.message)} />
            <p className="text-xs text-muted-foreground">
              {job.commit
                ? 'The parts committed before this one stay on the Hub; publishing again sends only what is missing.'
                : `Nothing was committed${job.createdRepo ? ', and the repo created for this publish was removed again' : ''}.`}
            </p>
          </div>
        ) : null}
        {job.state === 'cancelled' ? <p className="text-sm text-muted-foreground">Cancelled before the commit: the repo is unchanged.</p> : null}
        {job.state === 'done' && job.commit ? (
          <div className="space-y-3">
            <p className="text-sm">
              Commit <code className="rounded bg-muted px-1.5 py-0.5 font-mono text-xs">{job.commit.oid.slice(0, 10)}</code> with {job.files}{' '}
              {job.files === 1 ? 'file' : 'files'} ({formatBytes(job.bytesTotal)}).
              {job.via === 'xet' ? ` Sent via Xet: ${formatBytes(job.xetBytesSent)} (only the chunks the Hub did not have, compressed).` : ''}
            </p>
            <div className="flex flex-wrap gap-2">
              <ExternalLinkButton href={job.pullRequestUrl ?? job.repoUrl}>
                {job.pullRequestUrl ? 'Open the pull request' : 'Open the repo on the Hub'}
              </ExternalLinkButton>
              <ExternalLinkButton href={job.commit.url}>See the commit</ExternalLinkButton>
              <Button size="sm" onClick={() => verify.mutate()} disabled={job.verify?.state === 'running'} data-testid="verify-publish">
                <ShieldCheck />
                Download it back and verify
              </Button>
            </div>
            {job.verify ? (
              <p
                role="status"
                data-testid="verify-result"
                data-state={job.verify.state}
                className={
                  job.verify.state === 'ok' ? 'text-sm text-success' : job.verify.state === 'running' ? 'text-sm text-muted-foreground' : 'text-sm text-danger'
                }
              >
                {job.verify.state === 'running' ? `Checking ${job.verify.checked} of ${job.verify.total} files…` : job.verify.message}
                {job.verify.mismatches.length ? ` (${job.verify.mismatches.join(', ')})` : ''}
              </p>
            ) : null}
            <p className="text-xs text-muted-foreground">It is in your cache only if you download it, like any other repo.</p>
          </div>
        ) : null}
        {cancel.error ? <ErrorNotice error={cancel.error} /> : null}
        {verify.error ? <ErrorNotice error={verify.error} /> : null}
      </CardBody>
    </Card>
  );
}
