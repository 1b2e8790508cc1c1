/** Putting a found model into the Hugging Face cache: one file, or every file of one repo, each planned first (how, and what it costs). */
import { useState } from 'react';
import { Check, Copy, HardDriveDownload, Link2, Sparkles } from 'lucide-react';
import type { AdoptResult, FoundModel } from '../../../src-main/contract/apps';
import { formatBytes, plural } from '../../../src-main/contract/present/format';
import { useAdopt, useAdoptRepo } from '../../api/apps';
import { ErrorNotice } from '../../components/ErrorNotice';
import { Button } from '../../components/ui/button';
import { Input } from '../../components/ui/input';

const HOW: Record<AdoptResult['steps'][number]['how'], string> = {
  present: 'Already in the Hugging Face cache: nothing to write.',
  clone: 'A copy-on-write clone: no extra space, and the two copies stay independent.',
  link: 'A hard link: no extra space. The two names then share the same bytes, so an app that rewrote its file in place would change the cache’s copy too.',
  copy: 'A copy',
};

/**
 * "Add to Hugging Face cache": the plan (how, and what it costs) before anything is written. A file
 * whose path names no repo can be pointed at one; its sha256 confirms or refuses it.
 */
export function Adopt({ model }: { model: FoundModel }) {
  const plan = useAdopt();
  const run = useAdopt();
  const [repo, setRepo] = useState('');
  const named = model.hint ? {} : { repo: repo.trim() };
  const step = plan.data?.steps[0];
  if (run.data) {
    return (
      <p className="text-xs text-success" data-testid="adopted">
        <Check className="inline size-3.5" /> In the Hugging Face cache as {run.data.repo}/{run.data.steps[0]?.file}: Python finds it without downloading.
      </p>
    );
  }
  return (
    <div className="space-y-2">
      {!plan.data ? (
        <form
          className="flex gap-2"
          onSubmit={(e) => {
            e.preventDefault();
            plan.mutate({ path: model.path, ...named, mode: 'auto', dryRun: true });
          }}
        >
          {model.hint ? null : (
            <Input
              className="h-8 flex-1 text-xs"
              placeholder="Which Hub repo is it from? org/name"
              aria-label={`Hub repo of ${model.name}`}
              value={repo}
              onChange={(e) => setRepo(e.target.value)}
              spellCheck={false}
            />
          )}
          <Button size="sm" variant="outline" type="submit" disabled={plan.isPending || (!model.hint && !repo.includes('/'))}>
            <HardDriveDownload />
            {plan.isPending ? 'Checking it against the Hub…' : 'Add to Hugging Face cache'}
          </Button>
        </form>
      ) : step ? (
        <div className="rounded-md border border-border bg-muted/40 p-3 text-xs" data-testid="adopt-plan">
          <p>
            Confirmed by its sha256: it is <span className="font-medium">{plan.data.repo}</span>/{step.file} at commit {plan.data.commit.slice(0, 8)}.
          </p>
          <p className="mt-1 text-muted-foreground">
            {step.how === 'copy'
              ? `${HOW.copy}: ${formatBytes(step.bytes)} more on the cache’s drive (this disk cannot clone files, or they are on different drives).`
              : HOW[step.how]}
          </p>
          {step.how === 'copy' ? <p className="mt-1 text-muted-foreground">{HOW.link}</p> : null}
          <div className="mt-2 flex gap-2">
            <Button
              size="sm"
              variant="primary"
              onClick={() => run.mutate({ path: model.path, ...named, mode: step.how === 'present' ? 'auto' : step.how, dryRun: false })}
              disabled={run.isPending}
            >
              {step.how === 'link' ? <Link2 /> : step.how === 'copy' ? <Copy /> : <Sparkles />}
              {run.isPending ? 'Adding…' : step.how === 'copy' ? `Copy ${formatBytes(step.bytes)}` : 'Add it'}
            </Button>
            {step.how === 'copy' ? (
              <Button
                size="sm"
                variant="outline"
                onClick={() => run.mutate({ path: model.path, ...named, mode: 'link', dryRun: false })}
                disabled={run.isPending}
              >
                <Link2 /> Hard link instead
              </Button>
            ) : null}
            <Button size="sm" variant="ghost" onClick={() => plan.reset()}>
              Cancel
            </Button>
          </div>
        </div>
      ) : null}
      {plan.error ? <ErrorNotice error={plan.error} /> : null}
      {run.error ? <ErrorNotice error={run.error} /> : null}
    </div>
  );
}

/** Every file of one repo in an app's folder into one snapshot: planned (each confirmed by hash), then on confirmation. */
export function AdoptRepo({ repo, models }: { repo: string; models: FoundModel[] }) {
  const plan = useAdoptRepo();
  const run = useAdoptRepo();
  const paths = models.map((m) => m.path);
  if (run.data)
    return (
      <p className="text-xs text-success" data-testid="adopted-repo">
        <Check className="inline size-3.5" /> {plural(run.data.steps.length, 'file')} of {repo} in the Hugging Face cache.
      </p>
    );
  const bytes = plan.data?.steps.reduce((a, s) => a + s.bytes, 0) ?? 0;
  return (
    <div className="space-y-2" data-testid="adopt-repo">
      {!plan.data ? (
        <Button size="sm" variant="outline" onClick={() => plan.mutate({ paths, mode: 'auto', dryRun: true })} disabled={plan.isPending}>
          <HardDriveDownload />
          {plan.isPending ? 'Checking them against the Hub…' : `Add all ${models.length} files of ${repo} to the Hugging Face cache`}
        </Button>
      ) : (
        <div className="rounded-md border border-border bg-muted/40 p-3 text-xs">
          <p>
            All {plan.data.steps.length} confirmed by sha256 at commit {plan.data.commit.slice(0, 8)};{' '}
            {bytes ? `${formatBytes(bytes)} to copy` : 'no extra space'}.
          </p>
          <div className="mt-2 flex gap-2">
            <Button size="sm" variant="primary" onClick={() => run.mutate({ paths, mode: 'auto', dryRun: false })} disabled={run.isPending}>
              {run.isPending ? 'Adding…' : 'Add them'}
            </Button>
            <Button size="sm" variant="ghost" onClick={() => plan.reset()}>
              Cancel
            </Button>
          </div>
        </div>
      )}
      {plan.error ? <ErrorNotice error={plan.error} /> : null}
      {run.error ? <ErrorNotice error={run.error} /> : null}
    </div>
  );
}
