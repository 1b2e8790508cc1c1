import type { FitEstimate } from '../../../src-main/contract/inference';
import type { FileGroup } from '../../../src-main/contract/model';
import { describeFit } from '../../../src-main/contract/present/fit';
import { formatBytes } from '../../../src-main/contract/present/format';
import { Button } from '../../components/ui/button';
import { Dialog } from '../../components/ui/dialog';

/** Why a download is asked about first: too big to run here, or too big for the free disk. */
export type AskReason = { kind: 'too-big'; fit: FitEstimate } | { kind: 'disk'; freeBytes: number; where: string };

/** The reason to ask before downloading this group, or null to download at once. */
export function askReason(group: FileGroup, fit: FitEstimate | undefined, disk: { freeBytes: number | null; path: string } | undefined): AskReason | null {
  if (disk?.freeBytes != null && group.size > disk.freeBytes) return { kind: 'disk', freeBytes: disk.freeBytes, where: disk.path };
  if (fit?.verdict === 'too-big') return { kind: 'too-big', fit };
  return null;
}

/**
 * Asked before the expensive mistake: a quantization that would not run here, or would not fit on
 * the cache's drive, downloads only after the user has seen the numbers.
 */
export function DownloadConfirm({ group, reason, onDownload, onClose }: { group: FileGroup; reason: AskReason; onDownload: () => void; onClose: () => void }) {
  const disk = reason.kind === 'disk';
  return (
    <Dialog
      open
      onOpenChange={(o) => !o && onClose()}
      title={`Download ${group.label} anyway?`}
      description={disk ? `It does not fit on the drive that holds the cache.` : describeFit(reason.fit)}
    >
      <p className="text-sm" data-testid="ask-numbers">
        {reason.kind === 'disk'
          ? `The download is ${formatBytes(group.size)}; ${formatBytes(reason.freeBytes)} are free where the cache is (${reason.where}). It would stop when the disk is full: free space first, or move the cache in Settings.`
          : `The download is ${formatBytes(group.size)}. This machine has ${formatBytes(reason.fit.ram.total)} of RAM${
              reason.fit.vram ? ` and ${formatBytes(reason.fit.vram.free)} of free VRAM` : ' and no GPU Hubcap can use'
            }, so it would not load here as it is; a smaller quantization would.`}
      </p>
      <div className="mt-5 flex justify-end gap-2">
        <Button variant="primary" onClick={onClose}>
          Keep
        </Button>
        <Button
          variant="danger"
          onClick={() => {
            onClose();
            onDownload();
          }}
        >
          Download anyway ({formatBytes(group.size)})
        </Button>
      </div>
    </Dialog>
  );
}
