import { useLocation, useParams } from 'wouter';
import { MessageSquare } from 'lucide-react';
import { useChatEvents, useConversations, useCreateConversation } from '../../api/chat';
import { ErrorNotice } from '../../components/ErrorNotice';
import { Button } from '../../components/ui/button';
import { ConversationList } from './ConversationList';
import { ConversationView } from './ConversationView';
import { ModelBar } from './ModelBar';

export function ChatPage() {
  useChatEvents();
  const params = useParams<{ id?: string }>();
  const [, navigate] = useLocation();
  const list = useConversations();
  const create = useCreateConversation();
  const startChat = () => create.mutate(undefined, { onSuccess: (c) => navigate(`/chat/${c.id}`) });
  const id = params.id ?? list.data?.[0]?.id ?? null;
  return (
    <div className="flex h-full min-h-0">
      <ConversationList activeId={id} onNew={startChat} />
      <div className="flex min-w-0 flex-1 flex-col">
        <ModelBar />
        {id ? (
          <ConversationView key={id} id={id} />
        ) : (
          <div className="flex flex-1 flex-col items-center justify-center gap-3 text-center text-sm text-muted-foreground">
            <MessageSquare className="size-8" />
            <p>No chats yet.</p>
            <Button variant="primary" onClick={startChat}>
              Start a chat
            </Button>
          </div>
        )}
        {create.error ? <ErrorNotice error={create.error} className="m-4" /> : null}
      </div>
    </div>
  );
}
