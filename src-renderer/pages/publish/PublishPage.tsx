import { useCallback, useEffect, useMemo, useState } from 'react';
import { FolderUp, Globe2, ListChecks, Plus, Send, X } from 'lucide-react';
import { useSearchParams } from 'wouter';
import { useAppInfo } from '../../api/app';
import { BrowseButton } from '../../components/FolderPicker';
import { SourceSize } from './SourceSize';
import { useDropTarget } from '../../api/drop-target';
import { useLibrary } from '../../api/library';
import { usePublishAccess, usePublishJobs, usePublishPlan, usePublishRepos, useStartPublish } from '../../api/publish';
import { ErrorNotice } from '../../components/ErrorNotice';
import { Page } from '../../components/Page';
import { PageHeader } from '../../components/PageHeader';
import { Button } from '../../components/ui/button';
import { Card, CardBody, CardHeader } from '../../components/ui/card';
import { Input } from '../../components/ui/input';
import { NativeSelect } from '../../components/ui/native-select';
import { Switch } from '../../components/ui/switch';
import { Textarea } from '../../components/ui/textarea';
import { CardEditor } from './CardEditor';
import { PlanView } from './PlanView';
import { PublishJobCard } from './PublishJobCard';
import { TokenStatus } from './TokenStatus';
import { repoNameProblem } from '../../../src-main/contract/publish';
import { cardProblem, formProblem, LICENSES, planInput, suggestName, type PublishForm } from './publish-form';

const label = 'block space-y-1 text-sm font-medium';

type Draft = Omit<PublishForm, 'namespace' | 'name'> & { namespace: string | null; name: string | null };

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
  const writable = access.data?.namespaces.filter((n) => n.canWrite) ?? [];
  // The owner and the name have defaults until the user picks them: the first namespace the token
  // can write, a name from what is published (derived, not copied into state by an effect).
  const [draft, setDraft] = useState<Draft>({
    item: itemKey,
    paths: [],
    namespace: null,
    name: null,
    repoType: 'model',
    isPrivate: true,
    license: '',
    revision: 'main',
    createPr: false,
    pathInRepo: '',
    include: '',
    exclude: '',
  });
  const firstNamespace = access.data?.namespaces.find((n) => n.canWrite)?.name ?? access.data?.user ?? '';
  const form: PublishForm = {
    ...draft,
    namespace: draft.namespace ?? firstNamespace,
    name: draft.name ?? suggestName(item?.name ?? draft.paths[0] ?? ''),
  };
  const [pathDraft, setPathDraft] = useState('');
  const plan = usePublishPlan();
  const planReset = plan.reset;
  const start = useStartPublish();
  const jobs = usePublishJobs();
  const [jobId, setJobId] = useState<string | null>(null);
  // The plan a job was started from: publishing it twice would be a second, stale attempt.
  const [startedFrom, setStartedFrom] = useState<object | null>(null);
  const suggested = plan.data?.suggestedCard ?? '';
  const [cardEdit, setCardEdit] = useState<{ base: string; text: string } | null>(null);
  const card = cardEdit && cardEdit.base === suggested ? cardEdit.text : suggested;
  const [message, setMessage] = useState('Upload with Hubcap');
  const [description, setDescription] = useState('');
  const repos = usePublishRepos(form.namespace || null, form.repoType);

  // Any change to the form makes the last plan stale.
  const update = (patch: Partial<Draft>) => {
    setDraft((d) => ({ ...d, ...patch }));
    plan.reset();
  };
  // A new token (signed in from the problem notice) is checked again with the plan.
  const accessStamp = access.dataUpdatedAt;
  useEffect(() => {
    if (plan.data) plan.mutate(planInput(form));
    // eslint-disable-next-line react-hooks/exhaustive-deps -- only when the token changes
  }, [accessStamp]);

  const problem = formProblem(form);
  const nameProblem = form.name.trim() ? repoNameProblem(form.name.trim()) : null;
  const cardError = plan.data?.needsCard && card.trim() ? cardProblem(card) : null;
  const job = jobs.data?.find((j) => j.id === jobId) ?? null;
  const running = job !== null && !['done', 'failed', 'cancelled'].includes(job.state);
  const existing = repos.data?.repos ?? [];
  const isExisting = existing.some((r) => r.id === `${form.namespace}/${form.name.trim()}`);

  // Files or folders dropped on the window while this page is open are what to publish (desktop).
  const takeDropped = useCallback(
    (paths: string[]) => {
      setDraft((d) => ({ ...d, paths: [...d.paths, ...paths.filter((p) => !d.paths.includes(p))] }));
      planReset();
    },
    [planReset],
  );
  useDropTarget('Drop to publish these files or folders', takeDropped);

  const addPath = () => {
    const p = pathDraft.trim();
    if (!p || form.paths.includes(p)) return;
    update({ paths: [...form.paths, p] });
    setPathDraft('');
  };
  const publish = () => {
    const data = plan.data;
    if (!data) return;
    start.mutate(
      {
        ...planInput(form),
        message,
        description,
        ...(data.needsCard && card.trim() ? { card } : {}),
        ...(data.parentCommit ? { parentCommit: data.parentCommit } : {}),
      },
      {
        onSuccess: (j) => {
          setJobId(j.id);
          setStartedFrom(data);
        },
      },
    );
  };

  return (
    <Page>
      <PageHeader
        title="Publish"
        description="Put a checkpoint, LoRA or GGUF you made into your own Hub repo. The token is used only for this, and only with the Hub."
      />
      {access.error ? <ErrorNotice error={access.error} onRetry={() => void access.refetch()} /> : null}
      <TokenStatus access={access.data} problem={plan.data?.problem ?? null} />

      <Card>
        <CardHeader title="What to publish" description="Folders keep their structure; .git and .cache folders are left out." icon={<FolderUp />} />
        <CardBody>
          {form.item ? (
            <div className="flex items-center gap-2 rounded-md bg-muted px-3 py-2 text-sm" data-testid="publish-item">
              <span className="min-w-0 flex-1 truncate">
                <span className="font-medium">{item?.name ?? 'Library model'}</span>
                {item ? <span className="ml-2 text-xs text-muted-foreground">{item.path}</span> : null}
              </span>
              <Button size="icon" variant="ghost" aria-label="Do not publish this model" onClick={() => update({ item: null })}>
                <X />
              </Button>
            </div>
          ) : null}
          {form.paths.map((p) => (
            <div key={p} className="flex items-center gap-2 rounded-md bg-muted px-3 py-2 font-mono text-xs" data-testid="publish-path">
              <span className="min-w-0 flex-1 truncate" title={p}>
                {p}
              </span>
              <SourceSize path={p} />
              <Button size="icon" variant="ghost" aria-label={`Remove ${p}`} onClick={() => update({ paths: form.paths.filter((x) => x !== p) })}>
                <X />
              </Button>
            </div>
          ))}
          <form
            className="flex gap-2"
            onSubmit={(e) => {
              e.preventDefault();
              addPath();
            }}
          >
            <Input
              value={pathDraft}
              onChange={(e) => setPathDraft(e.target.value)}
              placeholder="/path/to/a/folder or file on this machine"
              aria-label="Folder or file to publish"
              className="font-mono"
            />
            <Button type="submit" disabled={!pathDraft.trim()}>
              <Plus />
              Add
            </Button>
            <BrowseButton
              title="Choose a folder to publish"
              label={info.data?.capabilities.pickFolders ? 'Choose folders…' : 'Browse…'}
              onPick={(paths) => {
                const fresh = paths.filter((p) => !form.paths.includes(p));
                if (fresh.length) update({ paths: [...form.paths, ...fresh] });
              }}
            />
          </form>
          <details className="text-sm">
            <summary className="cursor-pointer text-muted-foreground">Where in the repo, and which files</summary>
            <div className="mt-3 grid gap-3 sm:grid-cols-3">
              <label className={label}>
                Folder in the repo
                <Input value={form.pathInRepo} onChange={(e) => update({ pathInRepo: e.target.value })} placeholder="(the root)" />
              </label>
              <label className={label}>
                Only these
                <Input value={form.include} onChange={(e) => update({ include: e.target.value })} placeholder="*.safetensors *.json" />
              </label>
              <label className={label}>
                Not these
                <Input value={form.exclude} onChange={(e) => update({ exclude: e.target.value })} placeholder="logs/* *.tmp" />
              </label>
            </div>
          </details>
        </CardBody>
      </Card>

      <Card>
        <CardHeader title="Where" description="One of your repos or your organizations’, or a new one." icon={<Globe2 />} />
        <CardBody>
          <div className="grid gap-3 sm:grid-cols-[minmax(0,12rem)_minmax(0,1fr)_minmax(0,9rem)]">
            <label className={label}>
              Owner
              <NativeSelect className="w-full" value={form.namespace} onChange={(e) => update({ namespace: e.target.value })} aria-label="Owner">
                {!access.data?.namespaces.length ? <option value="">Sign in first</option> : null}
                {(access.data?.namespaces ?? []).map((n) => (
                  <option key={n.name} value={n.name}>
                    {n.name}
                    {n.kind === 'org' ? ' (org)' : ''}
                    {n.canWrite ? '' : ' (pull requests only)'}
                  </option>
                ))}
                {form.namespace && !access.data?.namespaces.some((n) => n.name === form.namespace) ? (
                  <option value={form.namespace}>{form.namespace}</option>
                ) : null}
              </NativeSelect>
            </label>
            <label className={label}>
              Repo name
              <Input
                value={form.name}
                onChange={(e) => update({ name: e.target.value })}
                aria-label="Repo name"
                aria-invalid={nameProblem !== null}
                list="publish-existing-repos"
              />
              <datalist id="publish-existing-repos">
                {existing.map((r) => (
                  <option key={r.id} value={r.id.split('/')[1]} />
                ))}
              </datalist>
            </label>
            <label className={label}>
              Type
              <NativeSelect
                className="w-full"
                value={form.repoType}
                onChange={(e) => update({ repoType: e.target.value as 'model' | 'dataset' })}
                aria-label="Repo type"
              >
                <option value="model">Model</option>
                <option value="dataset">Dataset</option>
              </NativeSelect>
            </label>
          </div>
          {nameProblem ? <p className="text-sm text-danger">{nameProblem}</p> : null}
          {existing.length > 0 ? (
            <p className="text-xs text-muted-foreground">
              {isExisting
                ? 'An existing repo: files with the same bytes are skipped.'
                : `Not one of ${form.namespace}’s ${existing.length} repos: it will be created.`}
            </p>
          ) : null}
          <div className="flex flex-wrap items-center gap-x-6 gap-y-3 text-sm">
            {!isExisting ? (
              <>
                <label className="flex items-center gap-2">
                  <Switch checked={form.isPrivate} onCheckedChange={(v) => update({ isPrivate: v })} aria-label="Private repo" />
                  Private
                </label>
                <label className="flex items-center gap-2">
                  License
                  <NativeSelect value={form.license} onChange={(e) => update({ license: e.target.value })} aria-label="License">
                    {LICENSES.map((l) => (
                      <option key={l} value={l}>
                        {l || 'none yet'}
                      </option>
                    ))}
                  </NativeSelect>
                </label>
              </>
            ) : null}
            <label className="flex items-center gap-2">
              Branch
              <Input className="w-36" value={form.revision} onChange={(e) => update({ revision: e.target.value })} aria-label="Branch" />
            </label>
            <label className="flex items-center gap-2">
              <Switch checked={form.createPr} onCheckedChange={(v) => update({ createPr: v })} aria-label="Open as a pull request" />
              Open as a pull request
            </label>
          </div>
          <div className="flex items-center gap-3">
            <Button variant="primary" disabled={problem !== null || plan.isPending} onClick={() => plan.mutate(planInput(form))}>
              <ListChecks />
              {plan.isPending ? 'Checking…' : 'Review'}
            </Button>
            {problem && problem !== nameProblem ? <span className="text-sm text-muted-foreground">{problem}</span> : null}
            {!writable.length && access.data?.signedIn ? <span className="text-sm text-muted-foreground">This token can publish nowhere directly.</span> : null}
          </div>
          {plan.error ? <ErrorNotice error={plan.error} /> : null}
          {plan.data ? <PlanView plan={plan.data} /> : null}
        </CardBody>
      </Card>

      {plan.data?.needsCard ? <CardEditor card={card} onChange={(text) => setCardEdit({ base: suggested, text })} problem={cardError} /> : null}

      {plan.data && !plan.data.problem ? (
        <Card>
          <CardHeader title="Commit" icon={<Send />} />
          <CardBody>
            <label className={label}>
              Message
              <Input value={message} onChange={(e) => setMessage(e.target.value)} aria-label="Commit message" maxLength={500} />
            </label>
            <label className={label}>
              Description <span className="font-normal text-muted-foreground">(optional)</span>
              <Textarea rows={2} value={description} onChange={(e) => setDescription(e.target.value)} aria-label="Commit description" />
            </label>
            <Button
              variant="primary"
              onClick={publish}
              disabled={
                running ||
                start.isPending ||
                startedFrom === plan.data ||
                !message.trim() ||
                cardError !== null ||
                plan.data.totals.add + plan.data.totals.replace + (plan.data.needsCard && card.trim() ? 1 : 0) === 0
              }
            >
              <Send />
              {plan.data.createPr ? 'Open the pull request' : plan.data.createsRepo ? `Create ${plan.data.repo} and publish` : `Publish to ${plan.data.repo}`}
            </Button>
            {start.error ? <ErrorNotice error={start.error} /> : null}
          </CardBody>
        </Card>
      ) : null}

      {job ? <PublishJobCard job={job} /> : null}
    </Page>
  );
}
