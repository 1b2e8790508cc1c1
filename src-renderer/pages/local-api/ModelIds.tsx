import { Boxes, Check, Copy } from 'lucide-react';
import { useLocalApiModels } from '../../api/localapi';
import { ErrorNotice } from '../../components/ErrorNotice';
import { useCopy } from '../../components/PathField';
import { Badge } from '../../components/ui/badge';
import { Button } from '../../components/ui/button';
import { Card, CardBody, CardHeader } from '../../components/ui/card';

/** The names a client may put in `model`: every runnable GGUF in the Library, as GET /v1/models lists them. */
export function ModelIds() {
  const models = useLocalApiModels();
  const { copy, copied } = useCopy();
  const list = models.data ?? [];
  return (
    <Card>
      <CardHeader
        icon={<Boxes />}
        title="Model ids"
        description="What to put in a request's model. A repo id (org/name) works too when the repo has one GGUF here, or a Q4_K_M among several."
      />
      <CardBody>
        {models.error ? <ErrorNotice error={models.error} /> : null}
        {models.data && !list.length ? (
          <p className="text-sm text-muted-foreground">No GGUF model in your Library yet: download one from the Gallery.</p>
        ) : null}
        <ul className="divide-y divide-border" data-testid="api-model-ids">
          {list.map((m) => (
            <li key={m.key} className="flex min-w-0 items-center gap-2 py-1.5">
              <code className="min-w-0 flex-1 truncate font-mono text-xs" title={m.id}>
                {m.id}
              </code>
              {m.loaded ? <Badge tone="success">Loaded</Badge> : null}
              <Button size="sm" variant="ghost" onClick={() => copy.mutate(m.id)} aria-label={`Copy the model id ${m.id}`}>
                {copied ? <Check /> : <Copy />}
              </Button>
            </li>
          ))}
        </ul>
      </CardBody>
    </Card>
  );
}
