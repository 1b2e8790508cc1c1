import { useState } from 'react';
import { KeyRound, LogOut, Pencil, Trash2 } from 'lucide-react';
import type { TokenInfo } from '../../../src-main/contract/account';
import { useTokenActions } from '../../api/account';
import { ErrorNotice } from '../../components/ErrorNotice';
import { Badge } from '../../components/ui/badge';
import { Button } from '../../components/ui/button';
import { Dialog } from '../../components/ui/dialog';
import { Input } from '../../components/ui/input';
import { ROLE } from './labels';

/** A stored token: masked, with use, rename and log out. */
export function TokenRow({ t }: { t: TokenInfo }) {
  const [renaming, setRenaming] = useState(false);
  const [newName, setNewName] = useState(t.name);
  const [removing, setRemoving] = useState(false);
  const { use, rename, logout } = useTokenActions(t.name);
  const error = use.error ?? rename.error ?? logout.error;
  return (
    <li className="space-y-2 rounded-lg border border-border p-3" data-testid="token-row">
      <div className="flex items-center gap-3">
        <KeyRound className="size-4 text-muted-foreground" />
        {renaming ? (
          <form
            className="flex flex-1 gap-2"
            onSubmit={(e) => {
              e.preventDefault();
              rename.mutate(newName, { onSuccess: () => setRenaming(false) });
            }}
          >
            <Input value={newName} onChange={(e) => setNewName(e.target.value)} aria-label="New name" className="h-8" />
            <Button size="sm" type="submit" variant="primary">
              Save
            </Button>
          </form>
        ) : (
          <div className="min-w-0 flex-1">
            <span className="font-medium">{t.name}</span>
            <span className="ml-2 font-mono text-xs text-muted-foreground">{t.masked}</span>
            <div className="text-xs text-muted-foreground">
              {t.user} · {ROLE[t.role]}
              {t.storage === 'session' ? ' · this session only' : ''}
            </div>
          </div>
        )}
        {t.active ? (
          <Badge tone="success">In use</Badge>
        ) : (
          <Button size="sm" onClick={() => use.mutate(undefined)}>
            Use
          </Button>
        )}
        <Button size="icon" variant="ghost" aria-label={`Rename ${t.name}`} onClick={() => setRenaming(!renaming)}>
          <Pencil />
        </Button>
        {t.active ? (
          <Button size="sm" variant="ghost" onClick={() => logout.mutate(undefined)} aria-label={`Log out ${t.name}`}>
            <LogOut />
            Log out
          </Button>
        ) : (
          <Button size="sm" variant="ghost" onClick={() => setRemoving(true)} aria-label={`Remove ${t.name}`}>
            <Trash2 />
            Remove
          </Button>
        )}
      </div>
      <Dialog
        open={removing}
        onOpenChange={setRemoving}
        title={`Remove the token “${t.name}”?`}
        description={`It is deleted from ${t.storage === 'session' ? 'this session' : 'your OS keychain'}; the token itself stays valid on the Hub until you revoke it there.`}
      >
        <div className="mt-5 flex justify-end gap-2">
          <Button onClick={() => setRemoving(false)}>Keep it</Button>
          <Button variant="danger" onClick={() => logout.mutate(undefined, { onSuccess: () => setRemoving(false) })}>
            <Trash2 />
            Remove
          </Button>
        </div>
      </Dialog>
      {error ? <ErrorNotice error={error} /> : null}
    </li>
  );
}
