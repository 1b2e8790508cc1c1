import { useState } from 'react';
import { PanelRight } from 'lucide-react';
import type { ChatMessage } from '../../../src-main/contract/chat';
import { useConversation, useRegenerate } from '../../api/chat';
import { useInferenceStatus } from '../../api/inference';
import { ErrorNotice } from '../../components/ErrorNotice';
import { Button } from '../../components/ui/button';
import { Sheet } from '../../components/ui/sheet';
import { useRememberedPanel } from '../../lib/use-remembered-panel';
import { ChatSettings } from './ChatSettings';
import { Composer } from './Composer';
import { ContextMeter } from './ContextMeter';
import { MessageList } from './MessageList';

/** One conversation: its messages, the composer and its settings panel. */
export function ConversationView({ id, wide }: { id: string; wide: boolean }) {
  const status = useInferenceStatus();
  const conversation = useConversation(id);
  const [editing, setEditing] = useState<ChatMessage | null>(null);
  // Beside the chat when wide (closed by default below 1440 px, then as last left), over it when narrow.
  const [column, setColumn] = useRememberedPanel('chat-settings');
  const [sheet, setSheet] = useState(false);
  const panel = wide ? column : sheet;
  const setPanel = wide ? setColumn : setSheet;
  const regenerate = useRegenerate(id);
  if (conversation.error) return <ErrorNotice error={conversation.error} className="m-6" />;
  const c = conversation.data;
  if (!c) return null;
  const busy = status.data?.generating === id || Boolean(c.messages.at(-1)?.pending);
  const settings = <ChatSettings key={`${c.id}:${c.updatedAt}`} conversation={c} disabled={busy} />;
  return (
    <div className="flex min-h-0 flex-1">
      <div className="flex min-w-0 flex-1 flex-col" data-testid="conversation-column">
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
        <Composer
          key={editing?.id ?? 'new'}
          conversation={c}
          busy={busy}
          editing={editing}
          onDone={() => setEditing(null)}
          autoFocus={c.messages.length === 0}
        />
      </div>
      {wide && panel ? (
        <aside className="w-72 shrink-0 overflow-y-auto border-l border-border p-4" aria-label="Chat settings panel">
          {settings}
        </aside>
      ) : null}
      {!wide ? (
        <Sheet side="right" title="Chat settings" open={panel} onOpenChange={setPanel}>
          <div className="p-4">{settings}</div>
        </Sheet>
      ) : null}
    </div>
  );
}
