import { useState } from 'react';
import { AlertTriangle, Info, KeyRound, LogIn, ShieldCheck, UserRound } from 'lucide-react';
import { useAccount } from '../../api/account';
import { useSettings } from '../../api/settings';
import { PageHeader } from '../../components/PageHeader';
import { ErrorNotice } from '../../components/ErrorNotice';
import { Badge } from '../../components/ui/badge';
import { Button } from '../../components/ui/button';
import { Card, CardBody, CardHeader } from '../../components/ui/card';
import { LoginDialog } from '../../components/LoginDialog';
import { ROLE, SOURCE } from './labels';
import { TokenFileCard } from './TokenFileCard';
import { TokenRow } from './TokenRow';
import { Page } from '../../components/Page';

export function AccountPage() {
  const account = useAccount();
  const settings = useSettings();
  const [login, setLogin] = useState(false);
  const view = account.data;
  const current = view?.current;
  return (
    <Page>
      <PageHeader title="Account" description="Public models need no token. Sign in only for gated or private models, and to publish." />
      {account.error ? <ErrorNotice error={account.error} onRetry={() => void account.refetch()} /> : null}
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
    </Page>
  );
}
