import { useState, type FormEvent } from 'react';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { AlertTriangle, FileKey2, Info, KeyRound, LogIn, LogOut, Pencil, ShieldCheck, UserRound } from 'lucide-react';
import type { AccountView, TokenInfo } from '../../src-main/contract/account';
import { useApi, useApiQuery } from '../api/context';
import { PageHeader } from '../components/PageHeader';
import { ErrorNotice } from '../components/ErrorNotice';
import { Badge } from '../components/ui/badge';
import { Button } from '../components/ui/button';
import { Card, CardBody, CardHeader } from '../components/ui/card';
import { Dialog } from '../components/ui/dialog';
import { Input } from '../components/ui/input';

const ROLE: Record<TokenInfo['role'], string> = { read: 'Read', write: 'Write', fineGrained: 'Fine-grained', unknown: 'Unknown role' };
const SOURCE: Record<NonNullable<AccountView['current']>['source'], string> = {
  HF_TOKEN: 'HF_TOKEN (environment)',
  HUGGING_FACE_HUB_TOKEN: 'HUGGING_FACE_HUB_TOKEN (environment)',
  keychain: 'OS keychain',
  session: 'this session only',
  'token-file': 'plaintext token file',
};

function useAccountAction<I>(fn: (input: I) => Promise<AccountView>) {
  const client = useQueryClient();
  return useMutation({ mutationFn: fn, onSuccess: (view) => client.setQueryData(['account.get', {}], view) });
}

function LoginDialog({ open, onOpenChange, keychain }: { open: boolean; onOpenChange: (o: boolean) => void; keychain: boolean }) {
  const api = useApi();
  const [token, setToken] = useState('');
  const [name, setName] = useState('');
  const login = useAccountAction((i: { token: string; name?: string }) => api.call('account.login', i));
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

function TokenRow({ t }: { t: TokenInfo }) {
  const api = useApi();
  const [renaming, setRenaming] = useState(false);
  const [newName, setNewName] = useState(t.name);
  const use = useAccountAction(() => api.call('account.switch', { name: t.name }));
  const rename = useAccountAction(() => api.call('account.rename', { from: t.name, to: newName }));
  const logout = useAccountAction(() => api.call('account.logout', { name: t.name }));
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
              rename.mutate(undefined, { onSuccess: () => setRenaming(false) });
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
        <Button size="sm" variant="ghost" onClick={() => logout.mutate(undefined)} aria-label={`Log out ${t.name}`}>
          <LogOut />
          Log out
        </Button>
      </div>
      {error ? <ErrorNotice error={error} /> : null}
    </li>
  );
}

function TokenFileCard({ view }: { view: AccountView }) {
  const api = useApi();
  const [confirm, setConfirm] = useState(false);
  const importFile = useAccountAction(() => api.call('account.importTokenFile', {}));
  const deleteFile = useAccountAction(() => api.call('account.deleteTokenFile', {}));
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

export function AccountPage() {
  const account = useApiQuery('account.get', {});
  const settings = useApiQuery('settings.get', {});
  const [login, setLogin] = useState(false);
  const view = account.data;
  const current = view?.current;
  return (
    <div className="mx-auto max-w-4xl space-y-6 p-8">
      <PageHeader title="Account" description="Public models need no token. Sign in only for gated or private models, and to publish." />
      {account.error ? <ErrorNotice error={account.error} /> : null}
      {view ? (
        <>
          <Card>
            <CardHeader
              icon={<UserRound />}
              title={current ? `Signed in as ${current.info?.user ?? 'a token'}` : 'Anonymous'}
              description={
                current ? (
                  <>
                    Token {current.masked} from {SOURCE[current.source]}.
                  </>
                ) : (
                  'Hubcap sends no token: public models download as usual.'
                )
              }
              actions={
                <Button variant="primary" onClick={() => setLogin(true)}>
                  <LogIn />
                  {current ? 'Add a token' : 'Sign in'}
                </Button>
              }
            />
            <CardBody>
              {current?.info ? (
                <div className="flex flex-wrap items-center gap-2 text-sm" data-testid="account-current">
                  <Badge tone="primary">{ROLE[current.info.role]}</Badge>
                  <span>
                    {current.info.fullname ? `${current.info.fullname} · ` : ''}token “{current.info.name}”
                  </span>
                  {current.info.orgs.length ? <span className="text-muted-foreground">· orgs: {current.info.orgs.join(', ')}</span> : null}
                  {current.info.scopes.length ? <span className="w-full text-xs text-muted-foreground">Scopes: {current.info.scopes.join(', ')}</span> : null}
                </div>
              ) : null}
              {view.envToken ? (
                <p className="flex items-start gap-2 text-sm text-warning">
                  <AlertTriangle className="mt-0.5 size-4 shrink-0" />
                  {view.envToken.name} is set in the environment ({view.envToken.masked}) and wins over stored tokens, as in Python tools. Hubcap cannot change
                  it.
                </p>
              ) : null}
              {view.implicitTokenDisabled ? <p className="text-sm text-warning">HF_HUB_DISABLE_IMPLICIT_TOKEN is set: Hubcap sends no token at all.</p> : null}
              {!view.keychain.available ? (
                <p
                  role="status"
                  className="flex items-start gap-2 rounded-md border border-warning/40 bg-warning/10 px-3 py-2 text-sm text-warning"
                  data-testid="no-keychain"
                >
                  <AlertTriangle className="mt-0.5 size-4 shrink-0" />
                  No OS keychain is available here ({view.keychain.reason ?? 'unknown reason'}). A token you sign in with is kept in memory for this session
                  only, never in a file.
                </p>
              ) : null}
              <ul className="space-y-1.5 text-sm text-muted-foreground">
                <li className="flex gap-2">
                  <Info className="mt-0.5 size-4 shrink-0" />A token proves who you are to the Hub. Downloads of public models need none; a read token is enough
                  for gated models once you have access; a write token is needed to publish.
                </li>
                <li className="flex gap-2">
                  <ShieldCheck className="mt-0.5 size-4 shrink-0" />
                  It is sent only to the Hub ({settings.data?.endpoint.url ?? 'the Hub endpoint'}), never to the download CDN or anyone else, and never written
                  to a file or a log.
                </li>
              </ul>
            </CardBody>
          </Card>
          {view.tokens.length ? (
            <Card>
              <CardHeader
                icon={<KeyRound />}
                title="Stored tokens"
                description={view.keychain.available ? 'In your OS keychain.' : 'In memory for this session.'}
              />
              <CardBody>
                <ul className="space-y-2">
                  {view.tokens.map((t) => (
                    <TokenRow key={t.name} t={t} />
                  ))}
                </ul>
              </CardBody>
            </Card>
          ) : null}
          <TokenFileCard view={view} />
        </>
      ) : null}
      <LoginDialog open={login} onOpenChange={setLogin} keychain={view?.keychain.available ?? false} />
    </div>
  );
}
