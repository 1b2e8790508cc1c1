import { useState } from 'react';
import { useMutation } from '@tanstack/react-query';
import { RotateCcw } from 'lucide-react';
import { type Conversation, DEFAULT_SAMPLING, type Sampling } from '../../../src-main/contract/chat';
import { useApi } from '../../api/context';
import { ErrorNotice } from '../ErrorNotice';
import { Button } from '../ui/button';
import { Input } from '../ui/input';

const FIELDS: { key: keyof Sampling; label: string; step: number; min: number; max: number; hint: string }[] = [
  { key: 'temperature', label: 'Temperature', step: 0.05, min: 0, max: 5, hint: '0 always picks the likeliest token.' },
  { key: 'topP', label: 'Top-p', step: 0.01, min: 0, max: 1, hint: 'Keep the likeliest tokens up to this total probability.' },
  { key: 'topK', label: 'Top-k', step: 1, min: 0, max: 1000, hint: 'Keep this many likeliest tokens (0: all).' },
  { key: 'minP', label: 'Min-p', step: 0.01, min: 0, max: 1, hint: 'Drop tokens less likely than this share of the best one.' },
  { key: 'repeatPenalty', label: 'Repeat penalty', step: 0.05, min: 0.5, max: 3, hint: '1 is off; higher discourages repeating recent tokens.' },
  { key: 'maxTokens', label: 'Max tokens', step: 1, min: 1, max: 131072, hint: 'The longest answer.' },
];

/** System prompt and sampling for one conversation (saved with it). */
export function ChatSettings({ conversation, disabled }: { conversation: Conversation; disabled: boolean }) {
  const api = useApi();
  const [system, setSystem] = useState(conversation.systemPrompt);
  const [sampling, setSampling] = useState<Sampling>(conversation.sampling);
  const save = useMutation({
    mutationFn: (patch: { systemPrompt?: string; sampling?: Sampling }) => api.call('chat.update', { id: conversation.id, ...patch }),
  });
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
              min={f.min}
              max={f.max}
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
            min={0}
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
