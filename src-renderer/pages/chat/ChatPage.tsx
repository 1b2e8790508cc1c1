import { useEffect, useRef, useState } from 'react';
import { useLocation, useParams } from 'wouter';
import { MessageSquare } from 'lucide-react';
import { chatIntent, useChatEvents, useConversation, useConversations, useOpenEmptyChat } from '../../api/chat';
import { ErrorNotice } from '../../components/ErrorNotice';
import { Button } from '../../components/ui/button';
import { Sheet } from '../../components/ui/sheet';
import { useMediaQuery, WIDE } from '../../lib/use-media-query';
import { useRememberedPanel } from '../../lib/use-remembered-panel';
import { ConversationList } from './ConversationList';
import { ConversationView } from './ConversationView';
import { ModelBar } from './ModelBar';

/**
 * Chat: the conversations (a column when the window is wide, a panel over the chat when not), the
 * model bar, and the open conversation. "Chat with this model" from elsewhere arrives as an intent:
 * the model loads and an empty chat opens, ready to type.
 */
export function ChatPage() {
  useChatEvents();
  const params = useParams<{ id?: string }>();
  const [, navigate] = useLocation();
  const wide = useMediaQuery(WIDE);
  // The list is a column when there is room and the user wants it (closed by default below 1440 px,
  // as last left after that), a panel over the chat in narrow windows.
  const [listColumn, setListColumn] = useRememberedPanel('chats');
  const [listOpen, setListOpen] = useState(false);
  const list = useConversations();
  const open = useOpenEmptyChat();
  const [intent] = useState(() => chatIntent.take());
  const startChat = () => open.mutate(undefined, { onSuccess: (id) => navigate(`/chat/${id}`) });
  const started = useRef(false);
  useEffect(() => {
    if (!intent || started.current) return;
    started.current = true;
    open.mutate(undefined, { onSuccess: (id) => navigate(`/chat/${id}`, { replace: true }) });
  }, [intent, open, navigate]);
  const id = params.id ?? list.data?.[0]?.id ?? null;
  const conversation = useConversation(id);
  const conversations = <ConversationList activeId={id} onNew={startChat} onPicked={() => setListOpen(false)} />;
  return (
    <div className="flex h-full min-h-0">
      <h1 className="sr-only">Chat</h1>
      {wide && listColumn ? (
        <aside className="w-64 shrink-0 border-r border-border bg-card/50" aria-label="Conversations">
          {conversations}
        </aside>
      ) : !wide ? (
        <Sheet side="left" title="Chats" open={listOpen} onOpenChange={setListOpen}>
          {conversations}
        </Sheet>
      ) : null}
      <div className="flex min-w-0 flex-1 flex-col">
        <ModelBar
          preferredKey={conversation.data?.modelKey ?? null}
          autoLoad={intent}
          chats={wide ? { open: listColumn, toggle: () => setListColumn(!listColumn) } : { open: listOpen, toggle: () => setListOpen(true) }}
          onNewChat={wide && listColumn ? null : startChat}
        />
        {id ? (
          <ConversationView key={id} id={id} wide={wide} />
        ) : (
          <div className="flex flex-1 flex-col items-center justify-center gap-3 text-center text-sm text-muted-foreground">
            <MessageSquare className="size-8" />
            <p>No chats yet.</p>
            <Button variant="primary" onClick={startChat}>
              Start a chat
            </Button>
          </div>
        )}
        {open.error ? <ErrorNotice error={open.error} className="m-4" /> : null}
      </div>
    </div>
  );
}
