import { ExternalLink as Icon } from 'lucide-react';
import type { ReactNode } from 'react';
import { useExternalLinks } from '../api/app';
import { Button } from './ui/button';

/** Opens an http(s) page in the system browser: through the core on desktop, a new tab in a browser. */
export function ExternalLinkButton({ href, children }: { href: string; children: ReactNode }) {
  const links = useExternalLinks();
  if (links.viaCore) {
    return (
      <Button size="sm" onClick={() => links.open(href)}>
        <Icon />
        {children}
      </Button>
    );
  }
  return (
    <Button size="sm" asChild>
      <a href={href} target="_blank" rel="noreferrer noopener">
        <Icon />
        {children}
      </a>
    </Button>
  );
}
