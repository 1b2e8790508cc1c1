import { Send } from 'lucide-react';
import type { PublishPlan } from '../../../src-main/contract/publish';
import { ErrorNotice } from '../../components/ErrorNotice';
import { Button } from '../../components/ui/button';
import { Card, CardBody, CardHeader } from '../../components/ui/card';
import { Input } from '../../components/ui/input';
import { Textarea } from '../../components/ui/textarea';
import { fieldLabel } from './field-label';
import type { PublishDraft } from './use-publish-draft';

/**
 * The commit's message and description, and the button that publishes the reviewed plan; it is
 * disabled while a publish runs, once this plan was started, or when there is nothing to commit.
 */
export function CommitCard({
  plan,
  draft,
  canPublish,
  onPublish,
  error,
}: {
  plan: PublishPlan;
  draft: PublishDraft;
  canPublish: boolean;
  onPublish: () => void;
  error: Error | null;
}) {
  const { message, setMessage, description, setDescription } = draft;
  return (
    <Card>
      <CardHeader title="Commit" icon={<Send />} />
      <CardBody>
        <label className={fieldLabel}>
          Message
          <Input value={message} onChange={(e) => setMessage(e.target.value)} aria-label="Commit message" maxLength={500} />
        </label>
        <label className={fieldLabel}>
          Description <span className="font-normal text-muted-foreground">(optional)</span>
          <Textarea rows={2} value={description} onChange={(e) => setDescription(e.target.value)} aria-label="Commit description" />
        </label>
        <Button variant="primary" onClick={onPublish} disabled={!canPublish || !message.trim()}>
          <Send />
          {plan.createPr ? 'Open the pull request' : plan.createsRepo ? `Create ${plan.repo} and publish` : `Publish to ${plan.repo}`}
        </Button>
        {error ? <ErrorNotice error={error} /> : null}
      </CardBody>
    </Card>
  );
}
