import { useEffect, useRef } from 'react';
import { Bot, Check, Copy, Pencil, RefreshCw, TriangleAlert, UserRound } from 'lucide-react';
import type { AnswerStats, ChatMessage } from '../../../src-main/contract/chat';
import { plural } from '../../../src-main/contract/present/format';
import { useCopyText } from '../../api/app';
import { SafeMarkdown } from '../../components/SafeMarkdown';
import { Button } from '../../components/ui/button';
import { cn } from '../../lib/cn';

const STOP_TEXT: Record<AnswerStats['stopReason'], string> = { end: 'finished', maxTokens: 'hit max tokens', stopped: 'stopped', error: 'failed' };

/** Copies a message's text (the Markdown as written); says so for a moment. */
function CopyMessage({ text }: { text: string }) {
  const copy = useCopyText();
  const { isSuccess, reset } = copy;
  useEffect(() => {
    if (!isSuccess) return;
    const t = setTimeout(reset, 1500);
    return () => clearTimeout(t);
  }, [isSuccess, reset]);
  return (
    <Button size="sm" variant="ghost" onClick={() => copy.mutate(text)} aria-label="Copy message" disabled={!text}>
      {copy.isSuccess ? <Check /> : <Copy />} {copy.isSuccess ? 'Copied' : 'Copy'}
    </Button>
  );
}

function Stats({ stats }: { stats: AnswerStats }) {
  return (
    <p className="mt-1 flex flex-wrap gap-x-3 text-xs text-muted-foreground" data-testid="answer-stats">
      <span>{plural(stats.tokens, 'token')}</span>
      <span>{stats.tokensPerSecond.toFixed(1)} tok/s</span>
      <span>{Math.round(stats.timeToFirstTokenMs)} ms to first token</span>
      <span>{STOP_TEXT[stats.stopReason]}</span>
    </p>
  );
}

/** The conversation: safe markdown answers, per-answer stats, edit on questions, regenerate on the last answer. */
export function MessageList({
  messages,
  busy,
  onEdit,
  onRegenerate,
}: {
  messages: ChatMessage[];
  busy: boolean;
  onEdit: (m: ChatMessage) => void;
  onRegenerate: () => void;
}) {
  const end = useRef<HTMLDivElement>(null);
  const last = messages.at(-1);
  // Follow the answer as it streams.
  useEffect(() => {
    end.current?.scrollIntoView({ block: 'end' });
  }, [messages.length, last?.text, last?.error]);
  return (
    <div className="mx-auto max-w-3xl space-y-5 px-4 py-6" aria-live="polite">
      {messages.map((m, i) => (
        <article key={m.id} className={cn('group flex gap-3', m.role === 'user' && 'flex-row-reverse')} data-testid={`message-${m.role}`}>
          <div
            className={cn(
              'mt-0.5 flex size-7 shrink-0 items-center justify-center rounded-full',
              m.role === 'user' ? 'bg-primary text-primary-foreground' : 'bg-muted',
            )}
          >
            {m.role === 'user' ? <UserRound className="size-4" /> : <Bot className="size-4" />}
          </div>
          <div className={cn('min-w-0 max-w-[85%]', m.role === 'user' && 'text-right')}>
            {m.text || m.pending ? (
              <div
                className={cn(
                  // A long unbroken token or a wide code block stays inside its bubble (wraps, or scrolls there).
                  'inline-block max-w-full rounded-xl px-3.5 py-2 text-left [overflow-wrap:anywhere] [&_pre]:max-w-full',
                  m.role === 'user' ? 'whitespace-pre-wrap bg-accent' : 'bg-card border border-border',
                )}
              >
                {m.role === 'user' ? (
                  m.text
                ) : m.text ? (
                  <SafeMarkdown text={m.text} images="none" testId="answer-text" />
                ) : (
                  <span className="text-sm text-muted-foreground">Thinking…</span>
                )}
                {m.pending && m.text ? <span className="ml-0.5 inline-block h-4 w-1.5 animate-pulse bg-primary align-middle" aria-hidden /> : null}
              </div>
            ) : null}
            {m.error ? (
              <p role="alert" className="mt-1 flex items-start gap-1.5 text-xs text-danger">
                <TriangleAlert className="mt-0.5 size-3.5 shrink-0" />
                {m.error}
              </p>
            ) : null}
            {m.stats ? <Stats stats={m.stats} /> : null}
            <div
              className={cn(
                'mt-0.5 flex gap-1 opacity-0 transition-opacity group-focus-within:opacity-100 group-hover:opacity-100',
                m.role === 'user' && 'justify-end',
              )}
            >
              {m.text && !m.pending ? <CopyMessage text={m.text} /> : null}
              {m.role === 'user' && !busy ? (
                <Button size="sm" variant="ghost" onClick={() => onEdit(m)} aria-label="Edit and resend">
                  <Pencil /> Edit
                </Button>
              ) : null}
              {m.role === 'assistant' && i === messages.length - 1 && !busy ? (
                <Button size="sm" variant="ghost" onClick={onRegenerate} aria-label="Regenerate">
                  <RefreshCw /> Regenerate
                </Button>
              ) : null}
            </div>
          </div>
        </article>
      ))}
      <div ref={end} />
    </div>
  );
}
