import { Gauge } from 'lucide-react';
import type { Conversation } from '../../../src-main/contract/chat';
import { Progress } from '../../components/ui/progress';
import { Tooltip } from '../../components/ui/tooltip';

const EXPLAIN =
  'What the model holds of this chat after the last answer: the system prompt, every message and every answer, in tokens (about ¾ of a word each), out of the context size it was loaded with. It is not the length of the last message.';

/** How full the context was after the last answer, and what that counts. */
export function ContextMeter({ conversation }: { conversation: Conversation }) {
  const stats = [...conversation.messages].reverse().find((m) => m.stats)?.stats;
  if (!stats) return null;
  const share = Math.min(100, (stats.contextUsed / stats.contextSize) * 100);
  return (
    <Tooltip content={EXPLAIN}>
      <div className="flex items-center gap-2 text-xs text-muted-foreground" data-testid="context-meter" aria-description={EXPLAIN} tabIndex={0}>
        <Gauge className="size-3.5" />
        <Progress value={share} label="Context used" className="hidden w-28 sm:block" tone={share > 90 ? 'danger' : 'primary'} />
        <span>
          {stats.contextUsed.toLocaleString()} / {stats.contextSize.toLocaleString()} tokens in context
        </span>
      </div>
    </Tooltip>
  );
}
