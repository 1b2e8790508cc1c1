import { useState } from 'react';
import { Trash2 } from 'lucide-react';
import { APP_NAMES } from '../../../src-main/contract/apps';
import type { LibraryItem } from '../../../src-main/contract/library';
import { formatBytes } from '../../../src-main/contract/present/format';
import { useInferenceStatus, useUnloadModel } from '../../api/inference';
import { useRemoveLocal } from '../../api/library';
import { ErrorNotice } from '../../components/ErrorNotice';
import { Button } from '../../components/ui/button';
import { Dialog } from '../../components/ui/dialog';

/**
 * Forget a dropped-in checkpoint, or delete its files too. The model loaded now (answering in Chat
 * and through the Local API) is said to be so before anything happens, and is unloaded first.
 */
export function RemoveLocal({ item }: { item: LibraryItem }) {
  const [open, setOpen] = useState(false);
  const remove = useRemoveLocal(item.key);
  const loaded = useInferenceStatus().data?.model?.key === item.key;
  const unload = useUnloadModel();
  const run = (deleteFiles: boolean) => {
    const go = () => remove.mutate(deleteFiles, { onSuccess: () => setOpen(false) });
    if (loaded) unload.mutate(undefined, { onSuccess: go });
    else go();
  };
  return (
    <>
      <Button size="sm" variant="ghost" aria-label={`Remove ${item.name}`} onClick={() => setOpen(true)}>
        <Trash2 />
        Remove
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
        {loaded ? (
          <p role="alert" data-testid="remove-loaded" className="mb-3 rounded-md border border-warning/40 bg-warning/10 px-3 py-2 text-sm">
            {item.name} is loaded now: Chat and the Local API answer with it. It is unloaded first; a chat in progress stops.
          </p>
        ) : null}
        <p className="break-all font-mono text-xs text-muted-foreground">{item.path}</p>
        {remove.error || unload.error ? <ErrorNotice error={remove.error ?? unload.error} className="mt-3" /> : null}
        <div className="mt-5 flex justify-end gap-2">
          <Button onClick={() => run(false)}>{loaded ? 'Unload and forget it' : 'Forget it'}</Button>
          {item.foundIn ? null : (
            <Button variant="danger" onClick={() => run(true)}>
              {loaded ? 'Unload and delete' : 'Delete'} the file{item.parts > 1 ? 's' : ''} ({formatBytes(item.size)})
            </Button>
          )}
        </div>
      </Dialog>
    </>
  );
}
