import { Link } from 'wouter';
import { LogIn, Lock } from 'lucide-react';
import { ExternalLinkButton } from '../../components/ExternalLink';
import { Button } from '../../components/ui/button';

/**
 * A gated model: what it takes to get its files (access granted on the Hub's page, then a token of
 * that account here), as a call to action rather than an error.
 */
export function GatedNotice({ repoUrl, signedIn }: { repoUrl: string; signedIn: boolean }) {
  return (
    <div
      role="note"
      data-testid="gated-notice"
      className="flex flex-wrap items-center gap-3 rounded-xl border border-warning/40 bg-warning/10 px-4 py-3 text-sm"
    >
      <Lock className="size-4 shrink-0 text-warning" aria-hidden />
      <p className="min-w-60 flex-1">
        {signedIn
          ? 'This model is gated: its files download once the authors grant your account access. Request it on the model’s Hub page.'
          : 'This model is gated: request access on its Hub page, then sign in here with a token of that account. Browsing needs neither.'}
      </p>
      <ExternalLinkButton href={repoUrl}>Request access</ExternalLinkButton>
      {signedIn ? null : (
        <Button size="sm" asChild>
          <Link href="/account">
            <LogIn />
            Sign in
          </Link>
        </Button>
      )}
    </div>
  );
}
