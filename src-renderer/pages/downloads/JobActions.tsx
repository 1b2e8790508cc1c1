import { useState } from 'react';
import { Link } from 'wouter';
import { FolderSearch, Pause, Play, RotateCcw, Trash2, X } from 'lucide-react';
import { isTerminal, type DownloadJob } from '../../../src-main/contract/downloads';
import { repoKey } from '../../../src-main/contract/keys';
import { formatBytes } from '../../../src-main/contract/present/format';
import { useDownloadActions } from '../../api/downloads';
import { Button } from '../../components/ui/button';
import { Dialog } from '../../components/ui/dialog';

export function JobActions({ job }: { job: DownloadJob }) {
  const act = useDownloadActions(job.id);
  const [confirmCancel, setConfirmCancel] = useState(false);
  const [keepPartial, setKeepPartial] = useState(false);
  const active = job.state === 'downloading' || job.state === 'queued' || job.state === 'resolving';
  return (
    <div className="flex items-center gap-1.5">
      {active ? (
        <Button size="sm" onClick={() => act.mutate({ action: 'pause' })} aria-label="Pause">
          <Pause />
          Pause
        </Button>
      ) : null}
      {job.state === 'paused' ? (
        <Button size="sm" variant="primary" onClick={() => act.mutate({ action: 'resume' })} aria-label="Resume">
          <Play />
          Resume
        </Button>
      ) : null}
      {job.state === 'error' || job.state === 'cancelled' ? (
        <Button size="sm" onClick={() => act.mutate({ action: 'retry' })} aria-label="Retry">
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
              act.mutate({ action: 'cancel', keepPartial });
            }}
          >
            Cancel download
          </Button>
        </div>
      </Dialog>
      {job.state === 'done' ? (
        <Button size="sm" asChild>
          <Link href={`/cache/${encodeURIComponent(repoKey({ type: job.request.repoType, id: job.request.repo }))}`}>
            <FolderSearch />
            Show in cache
          </Link>
        </Button>
      ) : null}
      {isTerminal(job.state) ? (
        <Button size="icon" variant="ghost" onClick={() => act.mutate({ action: 'remove' })} aria-label="Remove from list">
          <Trash2 />
        </Button>
      ) : null}
    </div>
  );
}
