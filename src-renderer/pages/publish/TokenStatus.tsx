import { useState } from 'react';
import { KeyRound, LogIn, ShieldAlert } from 'lucide-react';
import type { AccessProblem, PublishAccess } from '../../../src-main/contract/publish';
import { useAccount } from '../../api/account';
import { ExternalLinkButton } from '../../components/ExternalLink';
import { LoginDialog } from '../../components/LoginDialog';
import { Button } from '../../components/ui/button';

const ROLE: Record<string, string> = { read: 'a read token', write: 'a write token', fineGrained: 'a fine-grained token', unknown: 'a token' };
const SOURCE: Record<string, string> = {
  HF_TOKEN: 'from HF_TOKEN (used as is, never stored)',
  HUGGING_FACE_HUB_TOKEN: 'from HUGGING_FACE_HUB_TOKEN (used as is, never stored)',
  keychain: 'from your OS keychain',
  session: 'kept for this session only',
  'token-file': 'from the token file',
};

/** Who publishes, and when the token cannot: why, what token is needed, and signing in with another in place. */
export function TokenStatus({ access, problem }: { access: PublishAccess | undefined; problem: AccessProblem | null }) {
  // HF_TOKEN wins over stored tokens (as in Python): signing in here would not change the token in use.
  const fromEnv = access?.source === 'HF_TOKEN' || access?.source === 'HUGGING_FACE_HUB_TOKEN';
  const [signingIn, setSigningIn] = useState(false);
  const account = useAccount();
  const keychain = account.data?.keychain.available ?? false;
  const dialog = <LoginDialog open={signingIn} onOpenChange={setSigningIn} keychain={keychain} />;
  if (problem) {
    return (
      <div role="alert" data-testid="token-problem" className="space-y-3 rounded-xl border border-warning/50 bg-warning/10 p-4 text-sm">
        <div className="flex items-start gap-2">
          <ShieldAlert className="mt-0.5 size-4 shrink-0 text-warning" aria-hidden />
          <div className="space-y-1">
            <p className="font-medium">{problem.message}</p>
            <p className="text-muted-foreground">Needed: {problem.needed}</p>
          </div>
        </div>
        <div className="flex flex-wrap gap-2">
          <ExternalLinkButton href={problem.createTokenUrl}>Create a write token</ExternalLinkButton>
          {fromEnv ? (
            <span className="self-center text-muted-foreground">
              It comes from {access?.source}, which Hubcap uses as is: set it to a write token, or unset it to use a stored one.
            </span>
          ) : (
            <Button size="sm" variant="primary" onClick={() => setSigningIn(true)}>
              <LogIn />
              {problem.reason === 'anonymous' ? 'Sign in' : 'Sign in with another token'}
            </Button>
          )}
        </div>
        {dialog}
      </div>
    );
  }
  if (!access) return null;
  return (
    <p className="flex items-center gap-2 text-sm text-muted-foreground" data-testid="token-status">
      <KeyRound className="size-4" aria-hidden />
      {access.signedIn ? (
        <span>
          Publishing as <span className="font-medium text-foreground">{access.user ?? 'unknown'}</span> with {ROLE[access.role ?? 'unknown']}{' '}
          {access.source ? SOURCE[access.source] : ''}. The token goes to the Hub only, never to the storage host that receives the files.
        </span>
      ) : (
        <span>Not signed in: publishing needs a token with write access (browsing and downloading never do).</span>
      )}
      {!access.signedIn ? (
        <Button size="sm" onClick={() => setSigningIn(true)}>
          <LogIn />
          Sign in
        </Button>
      ) : null}
      {dialog}
    </p>
  );
}
