import { Lock, ShieldAlert } from 'lucide-react';
import { Badge } from './ui/badge';

/** Gated and private markers, the same wherever a Hub repo is shown. */
export function AccessBadges({ gated, isPrivate }: { gated: boolean; isPrivate: boolean }) {
  return (
    <>
      {gated ? (
        <Badge tone="warning">
          <ShieldAlert /> Gated
        </Badge>
      ) : null}
      {isPrivate ? (
        <Badge>
          <Lock /> Private
        </Badge>
      ) : null}
    </>
  );
}
