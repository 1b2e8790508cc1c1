import { FileText } from 'lucide-react';
import { Card, CardBody, CardHeader } from '../../components/ui/card';
import { Textarea } from '../../components/ui/textarea';

/** The suggested model card, edited before publishing; its metadata is checked as it is typed. */
export function CardEditor({ card, onChange, problem }: { card: string; onChange: (c: string) => void; problem: string | null }) {
  return (
    <Card>
      <CardHeader
        title="Model card (README.md)"
        description="There is no README.md in the upload or the repo: this one is suggested from the files. Edit it; empty it to publish without a card. A base model the files do not name is left for you to add."
        icon={<FileText />}
      />
      <CardBody>
        <Textarea
          rows={16}
          value={card}
          onChange={(e) => onChange(e.target.value)}
          aria-label="Model card"
          aria-invalid={problem !== null}
          spellCheck={false}
          className="font-mono text-xs"
          data-testid="card-editor"
        />
        {problem ? (
          <p className="text-sm text-danger" role="alert">
            {problem}
          </p>
        ) : null}
      </CardBody>
    </Card>
  );
}
