import { Link } from 'wouter';
import { HardDrive } from 'lucide-react';
import type { DownloadJob } from '../../src-main/contract/downloads';
import { ApiError } from '../../src-main/contract/errors';
import { ErrorNotice } from './ErrorNotice';
import { ExternalLinkButton } from './ExternalLink';
import { Button } from './ui/button';

/**
 * A failed download: the reason, and the step that fixes it (request access, sign in, free space),
 * wherever the download was started from: the Downloads page or the model page's row.
 */
export function DownloadProblem({ job, className }: { job: DownloadJob; className?: string }) {
  const e = job.error;
  if (!e) return null;
  const repoUrl = (e.details as { repoUrl?: string } | undefined)?.repoUrl;
  return (
    <div className={`flex flex-wrap items-center gap-2 ${className ?? ''}`} data-testid="download-problem" data-code={e.code}>
      <ErrorNotice error={new ApiError(e.code, e.message, e.details)} className="min-w-60 flex-1" />
      {e.code === 'GATED' && repoUrl ? <ExternalLinkButton href={repoUrl}>Request access</ExternalLinkButton> : null}
      {e.code === 'GATED' || e.code === 'UNAUTHORIZED' || e.code === 'REPO_NOT_FOUND' ? (
        <Button size="sm" asChild>
          <Link href="/account">Sign in</Link>
        </Button>
      ) : null}
      {e.code === 'DISK_FULL' ? (
        <Button size="sm" asChild>
          <Link href="/cache">
            <HardDrive />
            Free space
          </Link>
        </Button>
      ) : null}
    </div>
  );
}
