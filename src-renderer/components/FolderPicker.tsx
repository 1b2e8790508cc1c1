import { useState } from 'react';
import { ArrowUp, Folder, FolderOpen, House } from 'lucide-react';
import { formatBytes, plural } from '../../src-main/contract/present/format';
import { useAppInfo, useBrowse, usePickFolders } from '../api/app';
import { ErrorNotice } from './ErrorNotice';
import { Button } from './ui/button';
import { Dialog } from './ui/dialog';

/** Folders on the server, one level at a time, from the home folder down (hubcap serve in a browser). */
function ServerFolderPicker({ title, onPick, onClose }: { title: string; onPick: (path: string) => void; onClose: () => void }) {
  const [at, setAt] = useState<string | undefined>(undefined);
  const listing = useBrowse(at);
  const l = listing.data;
  return (
    <Dialog open onOpenChange={(o) => !o && onClose()} title={title} description="Folders on the machine running Hubcap, from your home folder down.">
      <div className="space-y-3" data-testid="folder-picker">
        <div className="flex items-center gap-2">
          <Button size="icon" variant="ghost" aria-label="Up one folder" disabled={!l?.parent} onClick={() => setAt(l?.parent ?? undefined)}>
            <ArrowUp />
          </Button>
          <Button size="icon" variant="ghost" aria-label="Home folder" onClick={() => setAt(undefined)}>
            <House />
          </Button>
          <code className="min-w-0 flex-1 truncate rounded-md bg-muted px-2 py-1 font-mono text-xs" title={l?.path} data-testid="folder-picker-path">
            {l?.path ?? '…'}
          </code>
        </div>
        {listing.error ? <ErrorNotice error={listing.error} /> : null}
        <ul className="max-h-72 overflow-y-auto rounded-md border border-border" aria-label="Folders">
          {l?.folders.map((name) => (
            <li key={name}>
              <button
                type="button"
                className="flex w-full items-center gap-2 px-3 py-1.5 text-left text-sm hover:bg-muted"
                onClick={() => setAt(`${l.path.replace(/\/$/, '')}/${name}`)}
              >
                <Folder className="size-4 shrink-0 text-muted-foreground" aria-hidden />
                <span className="truncate">{name}</span>
              </button>
            </li>
          ))}
          {l && !l.folders.length ? <li className="px-3 py-2 text-sm text-muted-foreground">No folders inside.</li> : null}
        </ul>
        {l ? (
          <p className="text-xs text-muted-foreground" data-testid="folder-picker-summary">
            This folder: {plural(l.files, 'file')}, {formatBytes(l.bytes)}
            {l.truncated ? ' or more' : ''}
          </p>
        ) : null}
        <div className="flex justify-end gap-2">
          <Button onClick={onClose}>Cancel</Button>
          <Button variant="primary" disabled={!l} onClick={() => l && onPick(l.path)}>
            <FolderOpen />
            Choose this folder
          </Button>
        </div>
      </div>
    </Dialog>
  );
}

/**
 * Browse…: the native folder dialog on the desktop; under `hubcap serve`, a picker of the server's
 * folders (its user's home and below). Either way `onPick` gets absolute paths.
 */
export function BrowseButton({ title, onPick, label = 'Browse…' }: { title: string; onPick: (paths: string[]) => void; label?: string }) {
  const native = useAppInfo().data?.capabilities.pickFolders ?? false;
  const pick = usePickFolders();
  const [open, setOpen] = useState(false);
  return (
    <>
      <Button type="button" onClick={() => (native ? pick.mutate(undefined, { onSuccess: ({ paths }) => paths.length && onPick(paths) }) : setOpen(true))}>
        <FolderOpen />
        {label}
      </Button>
      {open ? (
        <ServerFolderPicker
          title={title}
          onClose={() => setOpen(false)}
          onPick={(p) => {
            setOpen(false);
            onPick([p]);
          }}
        />
      ) : null}
      {pick.error ? <ErrorNotice error={pick.error} /> : null}
    </>
  );
}
