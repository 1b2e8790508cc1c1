import { useState } from 'react';
import { FolderInput } from 'lucide-react';
import type { LibraryItem } from '../../../src-main/contract/library';
import { formatBytes } from '../../../src-main/contract/present/format';
import { useRelocate } from '../../api/library';
import { ErrorNotice } from '../../components/ErrorNotice';
import { Button } from '../../components/ui/button';
import { Dialog } from '../../components/ui/dialog';

/** Copy or move a checkpoint that is used in place into Hubcap's own folder. */
export function Relocate({ item }: { item: LibraryItem }) {
  const [open, setOpen] = useState(false);
  const relocate = useRelocate(item.key);
  const run = (mode: 'copy' | 'move') => relocate.mutate(mode, { onSuccess: () => setOpen(false) });
  // Already there (an upload under serve, or relocated before): nothing to offer.
  // Another app's file stays in that app's folder: Hubcap never moves it.
  if (item.inHubcapFolder || item.foundIn) return null;
  return (
    <>
      <Button size="sm" variant="ghost" disabled={item.missing} aria-label={`Keep ${item.name} in Hubcap's folder`} onClick={() => setOpen(true)}>
        <FolderInput />
        Keep a copy
      </Button>
      <Dialog
        open={open}
        onOpenChange={setOpen}
        title={`Keep ${item.name} in Hubcap's folder?`}
        description="It is used where it is now. Copy it (the original stays) or move it into Hubcap's data folder, for example before unplugging the drive it is on."
      >
        <p className="break-all font-mono text-xs text-muted-foreground">{item.path}</p>
        {relocate.error ? <ErrorNotice error={relocate.error} className="mt-3" /> : null}
        {relocate.isPending ? <p className="mt-3 text-sm text-muted-foreground">Writing {formatBytes(item.size)}…</p> : null}
        <div className="mt-5 flex justify-end gap-2">
          <Button onClick={() => run('copy')} disabled={relocate.isPending}>
            Copy ({formatBytes(item.size)})
          </Button>
          <Button variant="primary" onClick={() => run('move')} disabled={relocate.isPending}>
            Move
          </Button>
        </div>
      </Dialog>
    </>
  );
}
