import { Check, Copy, FolderOpen } from 'lucide-react';
import { useState } from 'react';
import type { Place } from '../../src-main/contract/app';
import { useAppInfo, useCopyText, useOpenPlace } from '../api/app';
import { Button } from './ui/button';
import { Tooltip } from './ui/tooltip';
import { ErrorNotice } from './ErrorNotice';

/** Copy with a moment of "Copied" feedback. */
export function useCopy() {
  const copyText = useCopyText();
  const [copied, setCopied] = useState(false);
  const copy = {
    ...copyText,
    mutate: (text: string) =>
      copyText.mutate(text, {
        onSuccess: () => {
          setCopied(true);
          setTimeout(() => setCopied(false), 1500);
        },
      }),
  };
  return { copy, copied };
}

/** A path shown in full (monospace, selectable) with Copy and, on desktop, Open. */
export function PathField({ label, path, place, testId }: { label: string; path: string; place?: Place; testId?: string }) {
  const info = useAppInfo();
  const { copy, copied } = useCopy();
  const open = useOpenPlace();
  const canOpen = info.data?.capabilities.openInFileManager ?? false;
  return (
    <div className="space-y-1.5">
      <div className="text-xs font-medium uppercase tracking-wide text-muted-foreground">{label}</div>
      <div className="flex items-center gap-2">
        <code data-testid={testId} className="min-w-0 flex-1 truncate rounded-md bg-muted px-3 py-2 font-mono text-sm" title={path}>
          {path}
        </code>
        <Button size="sm" onClick={() => copy.mutate(path)} aria-label={`Copy ${label}`}>
          {copied ? <Check /> : <Copy />}
          {copied ? 'Copied' : 'Copy'}
        </Button>
        {place ? (
          canOpen ? (
            <Button size="sm" onClick={() => open.mutate({ place })} aria-label={`Open ${label} in file manager`}>
              <FolderOpen />
              Open
            </Button>
          ) : (
            <Tooltip content="Opening folders is a desktop feature: under hubcap serve the folder is on the server.">
              <span>
                <Button size="sm" disabled aria-label={`Open ${label} in file manager`}>
                  <FolderOpen />
                  Open
                </Button>
              </span>
            </Tooltip>
          )
        ) : null}
      </div>
      {copy.error ? <ErrorNotice error={copy.error} /> : null}
      {open.error ? <ErrorNotice error={open.error} /> : null}
    </div>
  );
}
