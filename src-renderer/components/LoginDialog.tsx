import { useState, type FormEvent } from 'react';
import { LogIn } from 'lucide-react';
import { useLogin } from '../api/account';
import { ErrorNotice } from './ErrorNotice';
import { Button } from './ui/button';
import { Dialog } from './ui/dialog';
import { Input } from './ui/input';

/** The token is checked with the Hub before it is kept; the renderer never sees it again. */
export function LoginDialog({ open, onOpenChange, keychain }: { open: boolean; onOpenChange: (o: boolean) => void; keychain: boolean }) {
  const [token, setToken] = useState('');
  const [name, setName] = useState('');
  const login = useLogin();
  const submit = (e: FormEvent) => {
    e.preventDefault();
    login.mutate(
      { token, ...(name.trim() ? { name } : {}) },
      {
        onSuccess: () => {
          setToken('');
          setName('');
          onOpenChange(false);
        },
      },
    );
  };
  return (
    <Dialog
      open={open}
      onOpenChange={onOpenChange}
      title="Sign in with a Hub token"
      description={`Hubcap checks the token with the Hub before saving it, and keeps it ${keychain ? 'in your OS keychain' : 'in memory for this session (no keychain here)'}.`}
    >
      <form onSubmit={submit} className="space-y-3">
        <label className="block space-y-1 text-sm font-medium">
          Access token
          <Input
            type="password"
            autoComplete="off"
            spellCheck={false}
            value={token}
            onChange={(e) => setToken(e.target.value)}
            placeholder="hf_…"
            aria-label="Access token"
            className="font-mono"
          />
        </label>
        <label className="block space-y-1 text-sm font-medium">
          Name <span className="font-normal text-muted-foreground">(optional; defaults to the token’s name on the Hub)</span>
          <Input value={name} onChange={(e) => setName(e.target.value)} aria-label="Token name" />
        </label>
        <p className="text-xs text-muted-foreground">
          Create one at huggingface.co › Settings › Access Tokens. A <b>read</b> token is enough to download gated models once you have access; a <b>write</b>{' '}
          token is needed to publish.
        </p>
        {login.error ? <ErrorNotice error={login.error} /> : null}
        <div className="flex justify-end gap-2">
          <Button onClick={() => onOpenChange(false)}>Cancel</Button>
          <Button type="submit" variant="primary" disabled={!token.trim() || login.isPending}>
            <LogIn />
            {login.isPending ? 'Checking…' : 'Check and save'}
          </Button>
        </div>
      </form>
    </Dialog>
  );
}
