import { useState, type KeyboardEvent } from 'react';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useLocation, useParams } from 'wouter';
import { Gauge, MessageSquare, PanelRight, Send, Square } from 'lucide-react';
import type { ChatMessage, Conversation } from '../../src-main/contract/chat';
import { useApi, useApiQuery } from '../api/context';
import { useChatEvents, useInferenceStatus } from '../api/chat';
import { ConversationList } from '../components/chat/ConversationList';
import { ModelBar } from '../components/chat/ModelBar';
import { MessageList } from '../components/chat/MessageList';
import { ChatSettings } from '../components/chat/ChatSettings';
import { ErrorNotice } from '../components/ErrorNotice';
import { Button } from '../components/ui/button';
import { Progress } from '../components/ui/progress';

/** How full the context was after the last answer. */
function ContextMeter({ conversation }: { conversation: Conversation }) {
  const stats = [...conversation.messages].reverse().find((m) => m.stats)?.stats;
  if (!stats) return null;
  const share = Math.min(100, (stats.contextUsed / stats.contextSize) * 100);
  return (
    <div className="flex items-center gap-2 text-xs text-muted-foreground" data-testid="context-meter">
      <Gauge className="size-3.5" />
      <Progress value={share} label="Context used" className="w-28" tone={share > 90 ? 'danger' : 'primary'} />
      <span>
        {stats.contextUsed.toLocaleString()} / {stats.contextSize.toLocaleString()} tokens
      </span>
    </div>
  );
}

function Composer({ conversation, busy, editing, onDone }: { conversation: Conversation; busy: boolean; editing: ChatMessage | null; onDone: () => void }) {
  const api = useApi();
  const [text, setText] = useState(editing?.text ?? '');
  const send = useMutation({
    mutationFn: () => api.call('chat.send', { id: conversation.id, text, ...(editing ? { editFrom: editing.id } : {}) }),
    onSuccess: () => {
      setText('');
      onDone();
    },
  });
  const stop = useMutation({ mutationFn: () => api.call('chat.stop', { id: conversation.id }) });
  const submit = () => {
    if (text.trim() && !busy) send.mutate();
  };
  const onKey = (e: KeyboardEvent<HTMLTextAreaElement>) => {
    if (e.key === 'Enter' && !e.shiftKey && !e.nativeEvent.isComposing) {
      e.preventDefault();
      submit();
    }
  };
  return (
    <div className="border-t border-border bg-card/50 px-4 py-3">
      <div className="mx-auto max-w-3xl space-y-2">
        {editing ? (
          <p className="flex items-center justify-between text-xs text-muted-foreground">
            Editing a question: the answers after it are replaced.
            <Button size="sm" variant="ghost" onClick={onDone}>
              Cancel
            </Button>
          </p>
        ) : null}
        {send.error ? <ErrorNotice error={send.error} /> : null}
        <div className="flex items-end gap-2">
          <textarea
            value={text}
            onChange={(e) => setText(e.target.value)}
            onKeyDown={onKey}
            rows={Math.min(8, Math.max(1, text.split('\n').length))}
            placeholder="Message the model (Enter to send, Shift+Enter for a new line)"
            aria-label="Message"
            className="min-h-9 flex-1 resize-none rounded-md border border-border bg-background px-3 py-2 text-sm focus-visible:outline-none focus-visible:ring-2 focus-visible:ring-ring"
          />
          {busy ? (
            <Button variant="danger" onClick={() => stop.mutate()} aria-label="Stop">
              <Square /> Stop
            </Button>
          ) : (
            <Button variant="primary" onClick={submit} disabled={!text.trim() || send.isPending} aria-label="Send">
              <Send /> Send
            </Button>
          )}
        </div>
      </div>
    </div>
  );
}

function ConversationView({ id }: { id: string }) {
  const api = useApi();
  const status = useInferenceStatus();
  const conversation = useApiQuery('chat.get', { id });
  const [editing, setEditing] = useState<ChatMessage | null>(null);
  const [panel, setPanel] = useState(true);
  const regenerate = useMutation({ mutationFn: () => api.call('chat.regenerate', { id }) });
  if (conversation.error) return <ErrorNotice error={conversation.error} className="m-6" />;
  const c = conversation.data;
  if (!c) return null;
  const busy = status.data?.generating === id || Boolean(c.messages.at(-1)?.pending);
  return (
    <div className="flex min-h-0 flex-1">
      <div className="flex min-w-0 flex-1 flex-col">
        <div className="flex items-center gap-3 border-b border-border px-4 py-2">
          <h2 className="min-w-0 flex-1 truncate text-sm font-medium" data-testid="chat-title">
            {c.title}
          </h2>
          <ContextMeter conversation={c} />
          <Button
            size="icon"
            variant="ghost"
            aria-label={panel ? 'Hide chat settings' : 'Show chat settings'}
            aria-pressed={panel}
            onClick={() => setPanel(!panel)}
          >
            <PanelRight />
          </Button>
        </div>
        <div className="min-h-0 flex-1 overflow-y-auto">
          {c.messages.length ? (
            <MessageList messages={c.messages} busy={busy} onEdit={setEditing} onRegenerate={() => regenerate.mutate()} />
          ) : (
            <p className="mt-16 text-center text-sm text-muted-foreground">Ask anything. The model runs on this machine; nothing leaves it.</p>
          )}
          {regenerate.error ? <ErrorNotice error={regenerate.error} className="mx-auto max-w-3xl" /> : null}
        </div>
        <Composer key={editing?.id ?? 'new'} conversation={c} busy={busy} editing={editing} onDone={() => setEditing(null)} />
      </div>
      {panel ? (
        <aside className="w-72 shrink-0 overflow-y-auto border-l border-border p-4" aria-label="Chat settings panel">
          <ChatSettings key={`${c.id}:${c.updatedAt}`} conversation={c} disabled={busy} />
        </aside>
      ) : null}
    </div>
  );
}

export function ChatPage() {
  useChatEvents();
  const api = useApi();
  const client = useQueryClient();
  const params = useParams<{ id?: string }>();
  const [, navigate] = useLocation();
  const list = useApiQuery('chat.list', {});
  const create = useMutation({
    mutationFn: () => api.call('chat.create', {}),
    onSuccess: (c) => {
      client.setQueryData(['chat.get', { id: c.id }], c);
      navigate(`/chat/${c.id}`);
    },
  });
  const id = params.id ?? list.data?.[0]?.id ?? null;
  return (
    <div className="flex h-full min-h-0">
      <ConversationList activeId={id} onNew={() => create.mutate()} />
      <div className="flex min-w-0 flex-1 flex-col">
        <ModelBar />
        {id ? (
          <ConversationView key={id} id={id} />
        ) : (
          <div className="flex flex-1 flex-col items-center justify-center gap-3 text-center text-sm text-muted-foreground">
            <MessageSquare className="size-8" />
            <p>No chats yet.</p>
            <Button variant="primary" onClick={() => create.mutate()}>
              Start a chat
            </Button>
          </div>
        )}
        {create.error ? <ErrorNotice error={create.error} className="m-4" /> : null}
      </div>
    </div>
  );
}
