import { useMemo, useRef, useState } from 'react';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { Link, useLocation } from 'wouter';
import { Boxes, FilePlus2, FileUp, FolderInput, FolderOpen, FolderSearch, HardDrive, MessageSquare, Search, Trash2, TriangleAlert } from 'lucide-react';
import type { LibraryItem } from '../../src-main/contract/library';
import { formatAgo, formatBytes, formatCount } from '../../src-main/contract/present/format';
import { useApi, useApiQuery } from '../api/context';
import { PageHeader } from '../components/PageHeader';
import { ErrorNotice } from '../components/ErrorNotice';
import { Badge } from '../components/ui/badge';
import { Button } from '../components/ui/button';
import { Dialog } from '../components/ui/dialog';
import { Input } from '../components/ui/input';
import { Tooltip } from '../components/ui/tooltip';
import { useAddDropped } from '../api/library';
import { chatIntent } from '../api/chat';

function params(n: number | null | undefined): string | null {
  return n ? `${formatCount(n)} params` : null;
}

function RemoveLocal({ item }: { item: LibraryItem }) {
  const api = useApi();
  const client = useQueryClient();
  const [open, setOpen] = useState(false);
  const remove = useMutation({
    mutationFn: (deleteFiles: boolean) => api.call('library.remove', { key: item.key, deleteFiles }),
    onSuccess: () => {
      setOpen(false);
      void client.invalidateQueries({ queryKey: ['library.list'] });
    },
  });
  return (
    <>
      <Button size="icon" variant="ghost" aria-label={`Remove ${item.name}`} onClick={() => setOpen(true)}>
        <Trash2 />
      </Button>
      <Dialog
        open={open}
        onOpenChange={setOpen}
        title={`Remove ${item.name}?`}
        description="Forgetting it leaves the file where it is; deleting removes the file from disk."
      >
        <p className="break-all font-mono text-xs text-muted-foreground">{item.path}</p>
        {remove.error ? <ErrorNotice error={remove.error} className="mt-3" /> : null}
        <div className="mt-5 flex justify-end gap-2">
          <Button onClick={() => remove.mutate(false)}>Forget it</Button>
          <Button variant="danger" onClick={() => remove.mutate(true)}>
            Delete the file{item.parts > 1 ? 's' : ''} ({formatBytes(item.size)})
          </Button>
        </div>
      </Dialog>
    </>
  );
}

/** Show the file in the file manager: desktop only (under serve the file is on the server). */
function ShowInFolder({ item }: { item: LibraryItem }) {
  const api = useApi();
  const info = useApiQuery('app.info', {});
  const can = info.data?.capabilities.openInFileManager ?? false;
  const show = useMutation({ mutationFn: () => api.call('places.open', { place: 'libraryItem', key: item.key }) });
  return (
    <Tooltip
      content={show.error ? show.error.message : can ? 'Show in the file manager' : 'The file is on the server: the desktop app can show it, a browser cannot.'}
    >
      <span>
        <Button size="icon" variant="ghost" disabled={!can || item.missing} aria-label={`Show ${item.name} in the file manager`} onClick={() => show.mutate()}>
          <FolderOpen />
        </Button>
      </span>
    </Tooltip>
  );
}

/** Copy or move a checkpoint that is used in place into Hubcap's own folder. */
function Relocate({ item }: { item: LibraryItem }) {
  const api = useApi();
  const client = useQueryClient();
  const settings = useApiQuery('settings.get', {});
  const [open, setOpen] = useState(false);
  const relocate = useMutation({
    mutationFn: (mode: 'copy' | 'move') => api.call('library.relocate', { key: item.key, mode }),
    onSuccess: () => {
      setOpen(false);
      void client.invalidateQueries({ queryKey: ['library.list'] });
    },
  });
  // Already there (an upload under serve, or relocated before): nothing to offer.
  const dataDir = settings.data?.dataDir;
  if (!dataDir || item.path.startsWith(`${dataDir}/models/`) || item.path.startsWith(`${dataDir}\\models\\`)) return null;
  return (
    <>
      <Button size="icon" variant="ghost" disabled={item.missing} aria-label={`Keep ${item.name} in Hubcap's folder`} onClick={() => setOpen(true)}>
        <FolderInput />
      </Button>
      <Dialog
        open={open}
        onOpenChange={setOpen}
        title={`Keep ${item.name} in Hubcap's folder?`}
        description="It is used where it is now. Copy it (the original stays) or move it into Hubcap's data folder, for example before unplugging the drive it is on."
      >
        <p className="break-all font-mono text-xs text-muted-foreground">{item.path}</p>
        {relocate.error ? <ErrorNotice error={relocate.error} className="mt-3" /> : null}
        {relocate.isPending ? <p className="mt-3 text-sm text-muted-foreground">Writing {formatBytes(item.size)}…</p> : null}
        <div className="mt-5 flex justify-end gap-2">
          <Button onClick={() => relocate.mutate('copy')} disabled={relocate.isPending}>
            Copy ({formatBytes(item.size)})
          </Button>
          <Button variant="primary" onClick={() => relocate.mutate('move')} disabled={relocate.isPending}>
            Move
          </Button>
        </div>
      </Dialog>
    </>
  );
}

function ItemCard({ item }: { item: LibraryItem }) {
  const [, navigate] = useLocation();
  const s = item.summary;
  const facts = [s?.architecture, params(s?.parameters), s?.quantization, s?.contextLength ? `${s.contextLength.toLocaleString()} ctx` : null].filter(Boolean);
  return (
    <li className="flex flex-col gap-3 rounded-xl border border-border bg-card p-4" data-testid="library-item" data-source={item.source}>
      <div className="flex items-start gap-2">
        <div className="min-w-0 flex-1">
          <h3 className="truncate font-medium" title={item.name}>
            {item.name}
          </h3>
          <p className="truncate text-xs text-muted-foreground" title={item.path}>
            {item.source === 'cache' ? `${item.repo} @ ${item.revision}` : item.path}
          </p>
        </div>
        <Badge tone={item.kind === 'gguf' ? 'primary' : 'neutral'}>{item.kind === 'gguf' ? 'GGUF' : 'safetensors'}</Badge>
      </div>
      <div className="flex flex-wrap gap-1.5 text-xs">
        {facts.map((f) => (
          <Badge key={String(f)}>{f}</Badge>
        ))}
        {item.parts > 1 ? <Badge>{item.parts} parts</Badge> : null}
        {item.missing ? (
          <Badge tone="danger">
            <TriangleAlert /> File missing
          </Badge>
        ) : null}
      </div>
      <div className="mt-auto flex items-center gap-1 text-xs text-muted-foreground">
        {item.source === 'cache' ? <HardDrive className="size-3.5" /> : <FileUp className="size-3.5" />}
        <span className="flex-1">
          {formatBytes(item.size)} · {item.source === 'cache' ? 'Hugging Face cache' : 'added by you'} ·{' '}
          {item.lastUsed ? `used ${formatAgo(item.lastUsed)}` : 'never used'}
        </span>
        {item.kind === 'gguf' ? (
          <Tooltip content={item.missing ? 'The file is missing.' : 'Load it and chat'}>
            <span>
              <Button
                size="sm"
                variant="ghost"
                disabled={item.missing}
                aria-label={`Chat with ${item.name}`}
                onClick={() => {
                  chatIntent.request(item.key);
                  navigate('/chat');
                }}
              >
                <MessageSquare />
              </Button>
            </span>
          </Tooltip>
        ) : null}
        {item.source === 'cache' ? (
          <Button size="icon" variant="ghost" asChild aria-label={`Show ${item.name} in the cache`}>
            <Link href={`/cache/${encodeURIComponent(`model:${item.repo}`)}`}>
              <FolderSearch />
            </Link>
          </Button>
        ) : (
          <>
            <Relocate item={item} />
            <RemoveLocal item={item} />
          </>
        )}
        <ShowInFolder item={item} />
      </div>
    </li>
  );
}

type Sort = 'lastUsed' | 'name' | 'size';

/** "Add files…": the native dialog on desktop (files stay where they are), a file picker that uploads under serve. */
function AddFiles() {
  const api = useApi();
  const client = useQueryClient();
  const input = useRef<HTMLInputElement>(null);
  const { add, state } = useAddDropped();
  const pick = useMutation({
    mutationFn: () => api.call('library.pickFiles', {}),
    onSuccess: () => void client.invalidateQueries({ queryKey: ['library.list'] }),
  });
  const result = pick.data ?? state.result;
  return (
    <div className="space-y-2">
      <Button
        variant="primary"
        onClick={() => (api.transport.pathForFile ? pick.mutate() : input.current?.click())}
        disabled={pick.isPending || state.uploading !== null}
      >
        <FilePlus2 />
        Add files…
      </Button>
      <input
        ref={input}
        type="file"
        multiple
        accept=".gguf,.safetensors"
        className="hidden"
        aria-label="Model files"
        onChange={(e) => {
          const files = Array.from(e.target.files ?? []);
          e.target.value = '';
          if (files.length) void add(files);
        }}
      />
      {state.uploading ? (
        <p className="text-xs text-muted-foreground">
          Uploading {state.uploading.name}: {formatBytes(state.uploading.sent)} of {formatBytes(state.uploading.total)}
        </p>
      ) : null}
      {result?.skipped.map((s) => (
        <p key={s.path} className="text-xs text-danger">
          {s.path.split(/[\\/]/).pop()}: {s.reason}
        </p>
      ))}
      {pick.error ? <ErrorNotice error={pick.error} /> : null}
    </div>
  );
}

export function LibraryPage() {
  const library = useApiQuery('library.list', {}, { staleTime: 2000, refetchOnMount: true });
  const [query, setQuery] = useState('');
  const [sort, setSort] = useState<Sort>('lastUsed');
  const items = useMemo(() => {
    const q = query.trim().toLowerCase();
    const list = (library.data ?? []).filter(
      (i) => !q || `${i.name} ${i.repo ?? ''} ${i.summary?.architecture ?? ''} ${i.summary?.quantization ?? ''}`.toLowerCase().includes(q),
    );
    const key = (i: LibraryItem) => (sort === 'name' ? i.name.toLowerCase() : sort === 'size' ? -i.size : -Date.parse(i.lastUsed ?? i.addedAt ?? '1970-01-01'));
    return list.sort((a, b) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0));
  }, [library.data, query, sort]);
  return (
    <div className="mx-auto max-w-6xl space-y-6 p-8">
      <PageHeader
        title="Library"
        description="Every model you can run here: from the Hugging Face cache, and files you dropped in (used where they are)."
        actions={<AddFiles />}
      />
      <div className="flex flex-wrap items-center gap-3">
        <div className="relative flex-1">
          <Search className="absolute left-2.5 top-2.5 size-4 text-muted-foreground" />
          <Input
            value={query}
            onChange={(e) => setQuery(e.target.value)}
            placeholder="Search by name, architecture, quantization"
            className="pl-8"
            aria-label="Search the Library"
          />
        </div>
        <select
          value={sort}
          onChange={(e) => setSort(e.target.value as Sort)}
          aria-label="Sort"
          className="h-9 rounded-md border border-input bg-background px-2 text-sm"
        >
          <option value="lastUsed">Recently used</option>
          <option value="name">Name</option>
          <option value="size">Size</option>
        </select>
      </div>
      {library.error ? <ErrorNotice error={library.error} /> : null}
      {library.data && !library.data.length ? (
        <div className="flex flex-col items-center rounded-xl border border-dashed border-border px-8 py-16 text-center">
          <Boxes className="size-8 text-primary" />
          <p className="mt-3 font-medium">Your Library is empty</p>
          <p className="mt-1 max-w-md text-sm text-muted-foreground">Download a model, or drop .gguf / .safetensors files anywhere in this window.</p>
        </div>
      ) : null}
      <ul className="grid grid-cols-[repeat(auto-fill,minmax(18rem,1fr))] gap-4">
        {items.map((i) => (
          <ItemCard key={i.key} item={i} />
        ))}
      </ul>
    </div>
  );
}
