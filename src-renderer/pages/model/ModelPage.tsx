import { Link, useSearchParams } from 'wouter';
import { ArrowLeft, Download, FileText } from 'lucide-react';
import { ApiError } from '../../../src-main/contract/errors';
import { repoKey } from '../../../src-main/contract/keys';
import type { ModelDetails } from '../../../src-main/contract/model';
import { formatBytes, plural } from '../../../src-main/contract/present/format';
import { useCachePresence } from '../../api/cache';
import { useDownloads } from '../../api/downloads';
import { useModelDetails } from '../../api/gallery';
import { useHubStatus } from '../../api/hub';
import { HubDownNotice } from '../../components/HubDownNotice';
import { Page } from '../../components/Page';
import { SafeMarkdown } from '../../components/SafeMarkdown';
import { Button } from '../../components/ui/button';
import { Card, CardBody, CardHeader } from '../../components/ui/card';
import { FileGroups } from './FileGroups';
import { GatedNotice } from './GatedNotice';
import { GgufTable } from './GgufTable';
import { DownloadToFolderButton } from './DownloadToFolder';
import { focusedGroup, missingFocus } from './link-focus';
import { ModelHeader } from './ModelHeader';
import { ModelLoadError } from './ModelLoadError';
import { useDownloadFromPage } from './use-download-from-page';

/**
 * One model at one revision. Keyed by the model (App remounts it for another one) and with the
 * revision in the URL, so Back, Forward and reload always show what the address says.
 */
export function ModelPage({ id }: { id: string }) {
  const [params, setParams] = useSearchParams();
  const revision = params.get('revision') ?? 'main';
  const setRevision = (r: string) => setParams(r === 'main' ? {} : { revision: r });
  // A pasted link may name a file (…/blob/main/x.gguf) or a quantization (hf.co/org/name:Q4_K_M).
  const wantFile = params.get('file');
  const wantQuant = params.get('quant');
  const details = useModelDetails(id, revision);
  const presence = useCachePresence(repoKey({ type: 'model', id }));
  const jobs = useDownloads().data ?? [];
  const signedIn = useHubStatus().data?.account.signedIn ?? false;
  const m = details.data;
  const gguf = m?.groups.filter((g) => g.kind === 'gguf') ?? [];
  const others = m?.groups.filter((g) => g.kind !== 'gguf') ?? [];
  const error = details.error;
  const focus = m ? focusedGroup(m, wantFile, wantQuant) : null;
  const missing = m ? missingFocus(wantFile, wantQuant, focus) : null;
  return (
    <Page>
      <Link href="/gallery" className="inline-flex items-center gap-1 text-sm text-muted-foreground hover:text-foreground">
        <ArrowLeft className="size-4" /> Gallery
      </Link>
      {error ? (
        <ModelLoadError
          id={id}
          error={error}
          signedIn={signedIn}
          revision={revision}
          onRetry={() => void details.refetch()}
          onMain={() => setRevision('main')}
        />
      ) : null}
      {m ? (
        <>
          <ModelHeader model={m} revision={revision} onRevision={setRevision} />
          {m.hubProblem ? (
            <HubDownNotice
              title="Hub unreachable, showing what's on this machine."
              problem={new ApiError(m.hubProblem.code, m.hubProblem.message)}
              onRetry={() => void details.refetch()}
              retrying={details.isFetching}
            />
          ) : null}
          {m.gated && m.source === 'hub' ? <GatedNotice repoUrl={m.url} signedIn={signedIn} /> : null}
          {missing ? (
            <p role="status" data-testid="focus-missing" className="rounded-md border border-warning/40 bg-warning/10 px-3 py-2 text-sm">
              {m.id} has no {wantFile ? 'file' : 'quantization'} “{missing}” at {m.revision}: here is everything it has.
            </p>
          ) : null}
          {gguf.length ? (
            <Card>
              <CardHeader icon={<Download />} title="GGUF quantizations" description="Pick one: each is the whole model at a different size and quality." />
              <CardBody>
                <GgufTable model={m} groups={gguf} presence={presence.data} jobs={jobs} focus={focus} />
              </CardBody>
            </Card>
          ) : null}
          <Card>
            <CardHeader
              icon={<FileText />}
              title="Files"
              description={`${plural(
                m.groups.reduce((a, g) => a + g.files.length, 0),
                'file',
              )}, ${formatBytes(m.groups.reduce((a, g) => a + g.size, 0))}`}
              actions={m.source === 'hub' ? <WholeRevision model={m} /> : undefined}
            />
            <CardBody>
              <FileGroups model={m} groups={others} presence={presence.data} jobs={jobs} focus={focus} />
            </CardBody>
          </Card>
          <Card>
            <CardHeader icon={<FileText />} title="Model card" />
            <CardBody>
              {m.card ? (
                <SafeMarkdown text={m.card} testId="model-card-text" />
              ) : (
                <p className="text-sm text-muted-foreground">
                  {m.hubProblem && !m.card ? 'The model card is not on this machine.' : (m.cardNote ?? 'This model has no card.')}
                </p>
              )}
            </CardBody>
          </Card>
        </>
      ) : details.isFetching && !error ? (
        <p className="text-sm text-muted-foreground">Loading {id}…</p>
      ) : null}
    </Page>
  );
}

function WholeRevision({ model }: { model: ModelDetails }) {
  const start = useDownloadFromPage(model);
  return (
    <div className="flex gap-2">
      <DownloadToFolderButton model={model} />
      <Button size="sm" onClick={() => start.download(null)}>
        <Download />
        Download all
      </Button>
    </div>
  );
}
