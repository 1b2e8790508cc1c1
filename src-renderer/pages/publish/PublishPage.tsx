import { useEffect, useMemo, useState } from 'react';
import { useSearchParams } from 'wouter';
import { useAppInfo } from '../../api/app';
import { useLibrary } from '../../api/library';
import { usePublishAccess, usePublishPlan } from '../../api/publish';
import { ErrorNotice } from '../../components/ErrorNotice';
import { Page } from '../../components/Page';
import { PageHeader } from '../../components/PageHeader';
import { CardEditor } from './CardEditor';
import { CommitCard } from './CommitCard';
import { PublishJobCard } from './PublishJobCard';
import { changeCount, cardProblem, planInput, publishInput } from './publish-form';
import { SourceCard } from './SourceCard';
import { TargetCard } from './TargetCard';
import { TokenStatus } from './TokenStatus';
import { usePublishDraft } from './use-publish-draft';
import { usePublishRun } from './use-publish-run';

/**
 * Publish: choose the files (a Library item, or paths on this machine), the repo (yours or an
 * org's; new ones private by default), review the exact plan and the suggested card, then publish
 * with progress, and check the Hub serves the same bytes.
 */
export function PublishPage() {
  const [params] = useSearchParams();
  const itemKey = params.get('item');
  const library = useLibrary();
  const item = useMemo(() => library.data?.find((i) => i.key === itemKey) ?? null, [library.data, itemKey]);
  const access = usePublishAccess();
  const info = useAppInfo();
  const plan = usePublishPlan();
  const firstNamespace = access.data?.namespaces.find((n) => n.canWrite)?.name ?? access.data?.user ?? '';
  // Any change to the form makes the last plan stale.
  const draft = usePublishDraft({ itemKey, itemName: item?.name ?? null, firstNamespace, onChange: plan.reset });
  const { form } = draft;
  const run = usePublishRun();
  const suggested = plan.data?.suggestedCard ?? '';
  const [cardEdit, setCardEdit] = useState<{ base: string; text: string } | null>(null);
  const card = cardEdit && cardEdit.base === suggested ? cardEdit.text : suggested;
  const cardError = plan.data?.needsCard && card.trim() ? cardProblem(card) : null;

  // A new token (signed in from the problem notice) is checked again with the plan.
  const accessStamp = access.dataUpdatedAt;
  useEffect(() => {
    if (plan.data) plan.mutate(planInput(form));
    // eslint-disable-next-line react-hooks/exhaustive-deps -- only when the token changes
  }, [accessStamp]);

  const publish = () => {
    const data = plan.data;
    if (data) run.publish(publishInput(form, data, { message: draft.message, description: draft.description, card }), data);
  };

  return (
    <Page>
      <PageHeader
        title="Publish"
        description="Put a checkpoint, LoRA or GGUF you made into your own Hub repo. The token is used only for this, and only with the Hub."
      />
      {access.error ? <ErrorNotice error={access.error} onRetry={() => void access.refetch()} /> : null}
      <TokenStatus access={access.data} problem={plan.data?.problem ?? null} />
      <SourceCard draft={draft} item={item} pickFolders={info.data?.capabilities.pickFolders ?? false} />
      <TargetCard draft={draft} access={access.data} plan={plan} />
      {plan.data?.needsCard ? <CardEditor card={card} onChange={(text) => setCardEdit({ base: suggested, text })} problem={cardError} /> : null}
      {plan.data && !plan.data.problem ? (
        <CommitCard
          plan={plan.data}
          draft={draft}
          canPublish={!run.running && !run.isPending && run.startedFrom !== plan.data && cardError === null && changeCount(plan.data, card) > 0}
          onPublish={publish}
          error={run.error}
        />
      ) : null}
      {run.job ? <PublishJobCard job={run.job} /> : null}
    </Page>
  );
}
