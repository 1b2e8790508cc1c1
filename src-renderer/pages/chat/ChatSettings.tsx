import { useState } from 'react';
import { RotateCcw } from 'lucide-react';
import { type Conversation, DEFAULT_SAMPLING, SAMPLING_BOUNDS, type Sampling } from '../../../src-main/contract/chat';
import { useUpdateConversation } from '../../api/chat';
import { ErrorNotice } from '../../components/ErrorNotice';
import { Button } from '../../components/ui/button';
import { Input } from '../../components/ui/input';

const FIELDS: { key: Exclude<keyof Sampling, 'seed'>; label: string; step: number; hint: string }[] = [
  { key: 'temperature', label: 'Temperature', step: 0.05, hint: '0 always picks the likeliest token.' },
  { key: 'topP', label: 'Top-p', step: 0.01, hint: 'Keep the likeliest tokens up to this total probability.' },
  { key: 'topK', label: 'Top-k', step: 1, hint: 'Keep this many likeliest tokens (0: all).' },
  { key: 'minP', label: 'Min-p', step: 0.01, hint: 'Drop tokens less likely than this share of the best one.' },
  { key: 'repeatPenalty', label: 'Repeat penalty', step: 0.05, hint: '1 is off; higher discourages repeating recent tokens.' },
  { key: 'maxTokens', label: 'Max tokens', step: 1, hint: 'The longest answer.' },
];

/** System prompt and sampling for one conversation (saved with it). */
export function ChatSettings({ conversation, disabled }: { conversation: Conversation; disabled: boolean }) {
  const [system, setSystem] = useState(conversation.systemPrompt);
  const [sampling, setSampling] = useState<Sampling>(conversation.sampling);
  const save = useUpdateConversation(conversation.id);
  const dirty = system !== conversation.systemPrompt || JSON.stringify(sampling) !== JSON.stringify(conversation.sampling);
  return (
    <form
      className="space-y-4 text-sm"
      aria-label="Chat settings"
      onSubmit={(e) => {
        e.preventDefault();
        save.mutate({ systemPrompt: system, sampling });
      }}
    >
      <div className="space-y-1">
        <label htmlFor="system-prompt" className="font-medium">
          System prompt
        </label>
        <textarea
          id="system-prompt"
          value={system}
          onChange={(e) => setSystem(e.target.value)}
          rows={4}
          className="w-full resize-y rounded-md border border-border bg-background px-2.5 py-1.5 text-sm focus-visible:outline-none focus-visible:ring-2 focus-visible:ring-ring"
        />
      </div>
      <div className="grid grid-cols-2 gap-3">
        {FIELDS.map((f) => (
          <div key={f.key} className="space-y-1" title={f.hint}>
            <label htmlFor={`sampling-${f.key}`} className="text-xs font-medium">
              {f.label}
            </label>
            <Input
              id={`sampling-${f.key}`}
              type="number"
              step={f.step}
              min={SAMPLING_BOUNDS[f.key].min}
              max={SAMPLING_BOUNDS[f.key].max}
              value={sampling[f.key] ?? ''}
              onChange={(e) => setSampling({ ...sampling, [f.key]: e.target.value === '' ? DEFAULT_SAMPLING[f.key] : Number(e.target.value) })}
            />
          </div>
        ))}
        <div className="space-y-1" title="The same seed and settings give the same answer; empty for a new one each time.">
          <label htmlFor="sampling-seed" className="text-xs font-medium">
            Seed
          </label>
          <Input
            id="sampling-seed"
            type="number"
            min={SAMPLING_BOUNDS.seed.min}
            max={SAMPLING_BOUNDS.seed.max}
            placeholder="random"
            value={sampling.seed ?? ''}
            onChange={(e) => setSampling({ ...sampling, seed: e.target.value === '' ? null : Math.trunc(Number(e.target.value)) })}
          />
        </div>
      </div>
      {save.error ? <ErrorNotice error={save.error} /> : null}
      <div className="flex gap-2">
        <Button type="submit" variant="primary" size="sm" disabled={!dirty || disabled || save.isPending}>
          Save settings
        </Button>
        <Button size="sm" variant="ghost" onClick={() => setSampling({ ...DEFAULT_SAMPLING })}>
          <RotateCcw />
          Defaults
        </Button>
      </div>
    </form>
  );
}
