import { useState, type KeyboardEvent } from 'react';
import { Send, Square } from 'lucide-react';
import type { ChatMessage, Conversation } from '../../../src-main/contract/chat';
import { useSendMessage, useStopAnswer } from '../../api/chat';
import { ErrorNotice } from '../../components/ErrorNotice';
import { Button } from '../../components/ui/button';

/** The question box: Enter sends, Shift+Enter breaks the line; Stop while an answer streams. */
export function Composer({
  conversation,
  busy,
  editing,
  onDone,
  autoFocus = false,
}: {
  conversation: Conversation;
  busy: boolean;
  editing: ChatMessage | null;
  onDone: () => void;
  /** A new, empty chat: ready to type. */
  autoFocus?: boolean;
}) {
  const [text, setText] = useState(editing?.text ?? '');
  const send = useSendMessage(conversation.id);
  const stop = useStopAnswer(conversation.id);
  const submit = () => {
    if (!text.trim() || busy) return;
    send.mutate(
      { text, ...(editing ? { editFrom: editing.id } : {}) },
      {
        onSuccess: () => {
          setText('');
          onDone();
        },
      },
    );
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
            placeholder="Message the model"
            aria-label="Message"
            aria-describedby="composer-keys"
            autoFocus={autoFocus}
            className="min-h-9 min-w-0 flex-1 resize-none rounded-md border border-border bg-background px-3 py-2 text-sm focus-visible:outline-none focus-visible:ring-2 focus-visible:ring-ring"
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
        <p id="composer-keys" className="text-xs text-muted-foreground">
          Enter sends · Shift+Enter starts a new line
        </p>
      </div>
    </div>
  );
}
