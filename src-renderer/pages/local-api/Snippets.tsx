import { useState } from 'react';
import { Check, Code2, Copy } from 'lucide-react';
import { useCopy } from '../../components/PathField';
import { Button } from '../../components/ui/button';
import { Card, CardBody, CardHeader } from '../../components/ui/card';
import { cn } from '../../lib/cn';
import { snippets, type Snippet } from './snippets';

/** One snippet per client, picked by tab, each with Copy. */
export function Snippets({ baseUrl, model }: { baseUrl: string; model: string }) {
  const all = snippets(baseUrl, model);
  const [tab, setTab] = useState<Snippet['id']>('curl');
  const current = all.find((s) => s.id === tab) ?? (all[0] as Snippet);
  const { copy, copied } = useCopy();
  return (
    <Card>
      <CardHeader
        icon={<Code2 />}
        title="Use it from a client"
        description="Each reads the key from HUBCAP_API_KEY or says where to paste it: nothing secret is in a snippet."
      />
      <CardBody>
        <div role="tablist" aria-label="Clients" className="flex flex-wrap gap-1">
          {all.map((s) => (
            <button
              key={s.id}
              role="tab"
              type="button"
              aria-selected={s.id === tab}
              onClick={() => setTab(s.id)}
              className={cn('rounded-md px-2.5 py-1 text-sm', s.id === tab ? 'bg-accent font-medium text-primary' : 'text-muted-foreground hover:bg-muted')}
            >
              {s.label}
            </button>
          ))}
        </div>
        <div role="tabpanel" aria-label={current.label} className="space-y-2">
          <p className="text-sm text-muted-foreground">{current.where}</p>
          <div className="relative">
            <pre className="overflow-x-auto rounded-md bg-muted p-3 pr-20 font-mono text-xs" data-testid="snippet">
              {current.text}
            </pre>
            <Button size="sm" className="absolute right-2 top-2" onClick={() => copy.mutate(current.text)} aria-label={`Copy the ${current.label} snippet`}>
              {copied ? <Check /> : <Copy />}
              Copy
            </Button>
          </div>
        </div>
      </CardBody>
    </Card>
  );
}
