import type { FitEstimate } from '../../../src-main/contract/inference';
import type { FileGroup } from '../../../src-main/contract/model';
import { describeFit } from '../../../src-main/contract/present/fit';
import { formatBytes } from '../../../src-main/contract/present/format';
import { Button } from '../../components/ui/button';
import { Dialog } from '../../components/ui/dialog';

/**
 * Asked before the expensive mistake: a quantization the estimate marks too big for this machine
 * downloads only after the user has seen the numbers.
 */
export function TooBigConfirm({ group, fit, onDownload, onClose }: { group: FileGroup; fit: FitEstimate; onDownload: () => void; onClose: () => void }) {
  return (
    <Dialog open onOpenChange={(o) => !o && onClose()} title={`Download ${group.label} anyway?`} description={describeFit(fit)}>
      <p className="text-sm" data-testid="too-big-numbers">
        The download is {formatBytes(group.size)}. This machine has {formatBytes(fit.ram.total)} of RAM
        {fit.vram ? ` and ${formatBytes(fit.vram.free)} of free VRAM` : ' and no GPU Hubcap can use'}, so it would not load here as it is; a smaller
        quantization would.
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
