import { Gauge } from 'lucide-react';
import type { Conversation } from '../../../src-main/contract/chat';
import { Progress } from '../../components/ui/progress';

/** How full the context was after the last answer. */
export function ContextMeter({ conversation }: { conversation: Conversation }) {
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
