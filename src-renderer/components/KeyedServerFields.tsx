import { useState } from 'react';
import { Copy, Eye, RefreshCw } from 'lucide-react';
import { Button } from './ui/button';
import { Input } from './ui/input';

/**
 * The fields every keyed server's card shares (Local API, Share models on this network): the port,
 * kept as a draft until it leaves the field and saved only when it is a port; and the key row, the
 * key (masked unless shown) with where it comes from, Show, Copy where offered, and New key unless
 * the key comes from the environment (Hubcap cannot replace it then).
 */
export function PortField({ port, label, onSave }: { port: number; label: string; onSave: (port: number) => void }) {
  const [draft, setDraft] = useState<string | null>(null);
  const value = draft ?? String(port);
  const valid = /^\d{1,5}$/.test(value) && Number(value) >= 1 && Number(value) <= 65535;
  return (
    <label className="block space-y-1 text-sm font-medium">
      Port
      <Input
        inputMode="numeric"
        value={value}
        aria-invalid={!valid}
        aria-label={label}
        onChange={(e) => setDraft(e.target.value)}
        onBlur={() => {
          if (valid && Number(value) !== port) onSave(Number(value));
          setDraft(null);
        }}
      />
    </label>
  );
}

export interface KeyRowProps<E extends string> {
  /** What the key's box shows: the masked key, or the key in full once shown. */
  shown: string;
  source: E | 'keychain' | 'session' | null;
  /** The environment variable a key can come from. */
  envVar: E;
  onShow: () => void;
  /** Offered where the key alone is pasted somewhere (the Local API's clients). */
  onCopy?: (() => void) | undefined;
  onRegenerate: () => void;
  testId?: string | undefined;
}

function sourceText(source: string, envVar: string): string {
  if (source === 'keychain') return 'kept in your OS keychain';
  if (source === 'session') return 'for this run only (no keychain here)';
  return `from ${envVar}`;
}

export function KeyRow<E extends string>({ shown, source, envVar, onShow, onCopy, onRegenerate, testId }: KeyRowProps<E>) {
  return (
    <div className="flex flex-wrap items-center gap-2">
      <span className="text-muted-foreground">Key</span>
      <code className="rounded-md bg-muted px-2 py-1 font-mono text-xs" data-testid={testId}>
        {shown}
      </code>
      {source ? <span className="text-xs text-muted-foreground">{sourceText(source, envVar)}</span> : null}
      <Button size="sm" onClick={onShow} aria-label="Show the key">
        <Eye />
        Show
      </Button>
      {onCopy ? (
        <Button size="sm" onClick={onCopy} aria-label="Copy the key">
          <Copy />
          Copy
        </Button>
      ) : null}
      {source !== envVar ? (
        <Button size="sm" onClick={onRegenerate} aria-label="New key">
          <RefreshCw />
          New key
        </Button>
      ) : null}
    </div>
  );
}
