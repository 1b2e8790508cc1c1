import type { PublishNamespace } from '../../../src-main/contract/publish';
import { Input } from '../../components/ui/input';
import { NativeSelect } from '../../components/ui/native-select';
import { fieldLabel } from './field-label';
import type { PublishForm } from './publish-form';
import type { PublishDraft } from './use-publish-draft';

/**
 * Which repo: the owner (the user or an org the token knows), the name (the owner's repos offered
 * as it is typed, checked with the Hub's rules) and the type; says whether the repo exists.
 */
export function RepoFields({
  form,
  update,
  namespaces,
  nameProblem,
  existing,
  isExisting,
}: {
  form: PublishForm;
  update: PublishDraft['update'];
  namespaces: PublishNamespace[] | undefined;
  nameProblem: string | null;
  existing: { id: string }[];
  isExisting: boolean;
}) {
  return (
    <>
      <div className="grid gap-3 sm:grid-cols-[minmax(0,12rem)_minmax(0,1fr)_minmax(0,9rem)]">
        <label className={fieldLabel}>
          Owner
          <NativeSelect className="w-full" value={form.namespace} onChange={(e) => update({ namespace: e.target.value })} aria-label="Owner">
            {!namespaces?.length ? <option value="">Sign in first</option> : null}
            {(namespaces ?? []).map((n) => (
              <option key={n.name} value={n.name}>
                {n.name}
                {n.kind === 'org' ? ' (org)' : ''}
                {n.canWrite ? '' : ' (pull requests only)'}
              </option>
            ))}
            {form.namespace && !namespaces?.some((n) => n.name === form.namespace) ? <option value={form.namespace}>{form.namespace}</option> : null}
          </NativeSelect>
        </label>
        <label className={fieldLabel}>
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
        <label className={fieldLabel}>
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
    </>
  );
}
