import { useState } from 'react';
import { Link, useLocation } from 'wouter';
import { Check, MessageSquarePlus, Pencil, Trash2, X } from 'lucide-react';
import type { ConversationSummary } from '../../../src-main/contract/chat';
import { plural } from '../../../src-main/contract/present/format';
import { useConversations, useDeleteConversation, useUpdateConversation } from '../../api/chat';
import { useInferenceStatus } from '../../api/inference';
import { ErrorNotice } from '../../components/ErrorNotice';
import { Button } from '../../components/ui/button';
import { Dialog } from '../../components/ui/dialog';
import { Input } from '../../components/ui/input';
import { SearchInput } from '../../components/ui/search-input';
import { cn } from '../../lib/cn';

/** Deleting asks first: a conversation's messages exist nowhere else. */
function DeleteChat({ c, active, onClose }: { c: ConversationSummary; active: boolean; onClose: () => void }) {
  const [, navigate] = useLocation();
  const remove = useDeleteConversation(c.id);
  return (
    <Dialog
      open
      onOpenChange={(o) => !o && onClose()}
      title={`Delete “${c.title}”?`}
      description={`Its ${plural(c.messages, 'message')} are removed from this machine.`}
    >
      {remove.error ? <ErrorNotice error={remove.error} /> : null}
      <div className="mt-5 flex justify-end gap-2">
        <Button onClick={onClose}>Keep</Button>
        <Button
          variant="danger"
          onClick={() =>
            remove.mutate(undefined, {
              onSuccess: () => {
                onClose();
                if (active) navigate('/chat');
              },
            })
          }
        >
          <Trash2 />
          Delete
        </Button>
      </div>
    </Dialog>
  );
}

function Row({ c, active, onPicked, loadedName }: { c: ConversationSummary; active: boolean; onPicked: () => void; loadedName: string | null }) {
  const [editing, setEditing] = useState(false);
  const [deleting, setDeleting] = useState(false);
  const [title, setTitle] = useState(c.title);
  const update = useUpdateConversation(c.id);
  if (editing) {
    return (
      <li className="flex items-center gap-1 px-1 py-1">
        <form
          className="flex flex-1 items-center gap-1"
          onSubmit={(e) => {
            e.preventDefault();
            update.mutate({ title }, { onSuccess: () => setEditing(false) });
          }}
        >
          <Input value={title} onChange={(e) => setTitle(e.target.value)} aria-label="Conversation title" className="h-7 text-xs" autoFocus />
          <Button size="icon" variant="ghost" type="submit" aria-label="Save title">
            <Check />
          </Button>
          <Button size="icon" variant="ghost" aria-label="Cancel renaming" onClick={() => setEditing(false)}>
            <X />
          </Button>
        </form>
      </li>
    );
  }
  return (
    <li className={cn('group flex items-center rounded-md', active ? 'bg-accent' : 'hover:bg-muted')} data-testid="conversation">
      <Link href={`/chat/${c.id}`} onClick={onPicked} className="min-w-0 flex-1 px-2 py-1.5">
        <span className={cn('block truncate text-sm', active && 'font-medium text-primary')}>{c.title}</span>
        <span className="block truncate text-xs text-muted-foreground">
          {/* A chat with no message yet answers with whatever is loaded: say so, not "no model". */}
          {c.modelName ?? (loadedName ? `${loadedName} (loaded)` : 'No model loaded')} · {plural(c.messages, 'message')}
        </span>
      </Link>
      <div className="hidden shrink-0 group-focus-within:flex group-hover:flex">
        <Button size="icon" variant="ghost" aria-label={`Rename ${c.title}`} onClick={() => setEditing(true)}>
          <Pencil />
        </Button>
        <Button size="icon" variant="ghost" aria-label={`Delete ${c.title}`} onClick={() => setDeleting(true)}>
          <Trash2 />
        </Button>
      </div>
      {deleting ? <DeleteChat c={c} active={active} onClose={() => setDeleting(false)} /> : null}
    </li>
  );
}

/** Saved conversations, newest first, with search, rename and delete; a column when wide, a panel when not. */
export function ConversationList({ activeId, onNew, onPicked = () => {} }: { activeId: string | null; onNew: () => void; onPicked?: () => void }) {
  const [search, setSearch] = useState('');
  const list = useConversations(search);
  const loadedName = useInferenceStatus().data?.model?.name ?? null;
  return (
    <div className="flex h-full min-h-0 flex-col">
      <div className="space-y-2 p-3">
        <Button variant="primary" className="w-full" onClick={onNew}>
          <MessageSquarePlus />
          New chat
        </Button>
        <SearchInput value={search} onChange={(e) => setSearch(e.target.value)} placeholder="Search chats" aria-label="Search chats" />
      </div>
      <ul className="min-h-0 flex-1 space-y-0.5 overflow-y-auto px-2 pb-3">
        {list.data?.map((c) => (
          <Row key={c.id} c={c} active={c.id === activeId} onPicked={onPicked} loadedName={loadedName} />
        ))}
        {list.data && !list.data.length ? (
          <li className="px-2 py-4 text-center text-xs text-muted-foreground">{search ? 'No chat matches.' : 'No chats yet.'}</li>
        ) : null}
      </ul>
    </div>
  );
}
