import { useState } from 'react';
import { FileKey2, ShieldCheck } from 'lucide-react';
import type { AccountView } from '../../../src-main/contract/account';
import { useTokenFileActions } from '../../api/account';
import { ErrorNotice } from '../../components/ErrorNotice';
import { Button } from '../../components/ui/button';
import { Card, CardBody, CardHeader } from '../../components/ui/card';
import { Dialog } from '../../components/ui/dialog';

/** `hf auth login`'s plaintext file: offered a move into the keychain, then a delete. */
export function TokenFileCard({ view }: { view: AccountView }) {
  const [confirm, setConfirm] = useState(false);
  const { importFile, deleteFile } = useTokenFileActions();
  if (!view.tokenFile.exists) return null;
  const moved = view.tokens.length > 0 && view.keychain.available;
  return (
    <Card>
      <CardHeader
        icon={<FileKey2 />}
        title="A plaintext token file"
        description={
          <>
            <code className="font-mono">{view.tokenFile.path}</code> was written by <code className="font-mono">hf auth login</code>
            {view.tokenFile.storedTokens.length ? ` (stored tokens: ${view.tokenFile.storedTokens.join(', ')})` : ''}. Anyone who can read your files can read
            it.
          </>
        }
      />
      <CardBody>
        <div className="flex flex-wrap gap-2">
          {view.keychain.available ? (
            <Button onClick={() => importFile.mutate(undefined)} disabled={importFile.isPending}>
              <ShieldCheck />
              Move into keychain
            </Button>
          ) : null}
          {moved ? (
            <Button variant="danger" onClick={() => setConfirm(true)}>
              Delete the plaintext file…
            </Button>
          ) : null}
        </div>
        {importFile.error ? <ErrorNotice error={importFile.error} /> : null}
        {deleteFile.error ? <ErrorNotice error={deleteFile.error} /> : null}
        <Dialog
          open={confirm}
          onOpenChange={setConfirm}
          title="Delete the plaintext token file?"
          description="Python tools that read it (transformers, hf) will no longer find a token there; set HF_TOKEN or run hf auth login again for them."
        >
          <p className="font-mono text-sm">{view.tokenFile.path}</p>
          <div className="mt-5 flex justify-end gap-2">
            <Button onClick={() => setConfirm(false)}>Keep it</Button>
            <Button variant="danger" onClick={() => deleteFile.mutate(undefined, { onSuccess: () => setConfirm(false) })}>
              Delete
            </Button>
          </div>
        </Dialog>
      </CardBody>
    </Card>
  );
}
