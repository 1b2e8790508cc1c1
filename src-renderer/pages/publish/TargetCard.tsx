import { Globe2, ListChecks } from 'lucide-react';
import { repoNameProblem, type PublishAccess } from '../../../src-main/contract/publish';
import { usePublishRepos, type usePublishPlan } from '../../api/publish';
import { ErrorNotice } from '../../components/ErrorNotice';
import { Button } from '../../components/ui/button';
import { Card, CardBody, CardHeader } from '../../components/ui/card';
import { formProblem, planInput } from './publish-form';
import { PlanView } from './PlanView';
import { RepoFields } from './RepoFields';
import { RepoOptions } from './RepoOptions';
import type { PublishDraft } from './use-publish-draft';

/** Where to publish (the repo and how to commit to it), then Review: the exact plan, file by file. */
export function TargetCard({ draft, access, plan }: { draft: PublishDraft; access: PublishAccess | undefined; plan: ReturnType<typeof usePublishPlan> }) {
  const { form, update } = draft;
  const repos = usePublishRepos(form.namespace || null, form.repoType);
  const writable = access?.namespaces.filter((n) => n.canWrite) ?? [];
  const problem = formProblem(form);
  const nameProblem = form.name.trim() ? repoNameProblem(form.name.trim()) : null;
  const existing = repos.data?.repos ?? [];
  const isExisting = existing.some((r) => r.id === `${form.namespace}/${form.name.trim()}`);
  return (
    <Card>
      <CardHeader title="Where" description="One of your repos or your organizations’, or a new one." icon={<Globe2 />} />
      <CardBody>
        <RepoFields form={form} update={update} namespaces={access?.namespaces} nameProblem={nameProblem} existing={existing} isExisting={isExisting} />
        <RepoOptions form={form} update={update} isExisting={isExisting} />
        <div className="flex items-center gap-3">
          <Button variant="primary" disabled={problem !== null || plan.isPending} onClick={() => plan.mutate(planInput(form))}>
            <ListChecks />
            {plan.isPending ? 'Checking…' : 'Review'}
          </Button>
          {problem && problem !== nameProblem ? <span className="text-sm text-muted-foreground">{problem}</span> : null}
          {!writable.length && access?.signedIn ? <span className="text-sm text-muted-foreground">This token can publish nowhere directly.</span> : null}
        </div>
        {plan.error ? <ErrorNotice error={plan.error} /> : null}
        {plan.data ? <PlanView plan={plan.data} /> : null}
      </CardBody>
    </Card>
  );
}
