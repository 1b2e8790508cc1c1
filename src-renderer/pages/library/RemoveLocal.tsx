import { useState } from 'react';
import { Trash2 } from 'lucide-react';
import { APP_NAMES } from '../../../src-main/contract/apps';
import type { LibraryItem } from '../../../src-main/contract/library';
import { formatBytes } from '../../../src-main/contract/present/format';
import { useRemoveLocal } from '../../api/library';
import { ErrorNotice } from '../../components/ErrorNotice';
import { Button } from '../../components/ui/button';
import { Dialog } from '../../components/ui/dialog';

/** Forget a dropped-in checkpoint, or delete its files too. */
export function RemoveLocal({ item }: { item: LibraryItem }) {
  const [open, setOpen] = useState(false);
  const remove = useRemoveLocal(item.key);
  const run = (deleteFiles: boolean) => remove.mutate(deleteFiles, { onSuccess: () => setOpen(false) });
  return (
    <>
      <Button size="icon" variant="ghost" aria-label={`Remove ${item.name}`} onClick={() => setOpen(true)}>
        <Trash2 />
      </Button>
      <Dialog
        open={open}
        onOpenChange={setOpen}
        title={`Remove ${item.name}?`}
        description={
          item.foundIn
            ? `It stays in ${APP_NAMES[item.foundIn]}'s folder, where that app keeps using it; Hubcap only forgets it.`
            : 'Forgetting it leaves the file where it is; deleting removes the file from disk.'
        }
      >
        <p className="break-all font-mono text-xs text-muted-foreground">{item.path}</p>
        {remove.error ? <ErrorNotice error={remove.error} className="mt-3" /> : null}
        <div className="mt-5 flex justify-end gap-2">
          <Button onClick={() => run(false)}>Forget it</Button>
          {item.foundIn ? null : (
            <Button variant="danger" onClick={() => run(true)}>
              Delete the file{item.parts > 1 ? 's' : ''} ({formatBytes(item.size)})
            </Button>
          )}
        </div>
      </Dialog>
    </>
  );
}
