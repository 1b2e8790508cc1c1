import { useState } from 'react';
import { Link, useLocation } from 'wouter';
import { Check, MessageSquarePlus, Pencil, Trash2, X } from 'lucide-react';
import type { ConversationSummary } from '../../../src-main/contract/chat';
import { useConversations, useDeleteConversation, useUpdateConversation } from '../../api/chat';
import { Button } from '../../components/ui/button';
import { Input } from '../../components/ui/input';
import { SearchInput } from '../../components/ui/search-input';
import { cn } from '../../lib/cn';

function Row({ c, active }: { c: ConversationSummary; active: boolean }) {
  const [, navigate] = useLocation();
  const [editing, setEditing] = useState(false);
  const [title, setTitle] = useState(c.title);
  const update = useUpdateConversation(c.id);
  const remove = useDeleteConversation(c.id);
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
      <Link href={`/chat/${c.id}`} className="min-w-0 flex-1 px-2 py-1.5">
        <span className={cn('block truncate text-sm', active && 'font-medium text-primary')}>{c.title}</span>
        <span className="block truncate text-xs text-muted-foreground">
          {c.modelName ?? 'No model yet'} · {c.messages} messages
        </span>
      </Link>
      <div className="hidden shrink-0 group-focus-within:flex group-hover:flex">
        <Button size="icon" variant="ghost" aria-label={`Rename ${c.title}`} onClick={() => setEditing(true)}>
          <Pencil />
        </Button>
        <Button
          size="icon"
          variant="ghost"
          aria-label={`Delete ${c.title}`}
          onClick={() => remove.mutate(undefined, { onSuccess: () => active && navigate('/chat') })}
        >
          <Trash2 />
        </Button>
      </div>
    </li>
  );
}

/** Saved conversations, newest first, with search, rename and delete. */
export function ConversationList({ activeId, onNew }: { activeId: string | null; onNew: () => void }) {
  const [search, setSearch] = useState('');
  const list = useConversations(search);
  return (
    <aside className="flex w-64 shrink-0 flex-col border-r border-border bg-card/50" aria-label="Conversations">
      <div className="space-y-2 p-3">
        <h1 className="px-1 text-lg font-semibold tracking-tight">Chat</h1>
        <Button variant="primary" className="w-full" onClick={onNew}>
          <MessageSquarePlus />
          New chat
        </Button>
        <SearchInput value={search} onChange={(e) => setSearch(e.target.value)} placeholder="Search chats" aria-label="Search chats" />
      </div>
      <ul className="min-h-0 flex-1 space-y-0.5 overflow-y-auto px-2 pb-3">
        {list.data?.map((c) => (
          <Row key={c.id} c={c} active={c.id === activeId} />
        ))}
        {list.data && !list.data.length ? (
          <li className="px-2 py-4 text-center text-xs text-muted-foreground">{search ? 'No chat matches.' : 'No chats yet.'}</li>
        ) : null}
      </ul>
    </aside>
  );
}
