import { useState } from 'react';
import { Link, useParams } from 'wouter';
import { ArrowLeft, Download, FileText, Heart } from 'lucide-react';
import type { ModelDetails } from '../../../src-main/contract/model';
import { formatBytes, formatCount } from '../../../src-main/contract/present/format';
import { useModelDetails } from '../../api/gallery';
import { ErrorNotice } from '../../components/ErrorNotice';
import { ExternalLinkButton } from '../../components/ExternalLink';
import { SafeMarkdown } from '../../components/SafeMarkdown';
import { AccessBadges } from '../../components/AccessBadges';
import { Badge } from '../../components/ui/badge';
import { Button } from '../../components/ui/button';
import { Card, CardBody, CardHeader } from '../../components/ui/card';
import { NativeSelect } from '../../components/ui/native-select';
import { GgufTable } from './GgufTable';
import { useDownloadFromPage } from './use-download-from-page';

export function ModelPage() {
  const params = useParams<{ id: string }>();
  const id = decodeURIComponent(params.id ?? '');
  const [revision, setRevision] = useState('main');
  const details = useModelDetails(id, revision);
  const m = details.data;
  const gguf = m?.groups.filter((g) => g.kind === 'gguf') ?? [];
  const others = m?.groups.filter((g) => g.kind !== 'gguf') ?? [];
  return (
    <div className="mx-auto max-w-5xl space-y-6 p-8">
      <Link href="/gallery" className="inline-flex items-center gap-1 text-sm text-muted-foreground hover:text-foreground">
        <ArrowLeft className="size-4" /> Gallery
      </Link>
      {details.error ? <ErrorNotice error={details.error} /> : null}
      {m ? (
        <>
          <div className="flex flex-wrap items-start gap-3">
            <div className="min-w-0 flex-1">
              <h1 className="truncate text-2xl font-semibold tracking-tight">{m.id}</h1>
              <div className="mt-1 flex flex-wrap items-center gap-2 text-sm text-muted-foreground">
                <AccessBadges gated={m.gated} isPrivate={m.private} />
                {m.pipelineTag ? <Badge>{m.pipelineTag}</Badge> : null}
                <span className="flex items-center gap-1">
                  <Download className="size-3.5" /> {formatCount(m.downloads)}
                </span>
                <span className="flex items-center gap-1">
                  <Heart className="size-3.5" /> {formatCount(m.likes)}
                </span>
                <span className="font-mono text-xs">commit {m.sha.slice(0, 8)}</span>
              </div>
            </div>
            <label className="flex items-center gap-2 text-sm">
              Revision
              <NativeSelect aria-label="Revision" value={revision} onChange={(e) => setRevision(e.target.value)}>
                {[...new Set(['main', ...m.branches, ...m.tags_, revision])].map((r) => (
                  <option key={r} value={r}>
                    {r}
                  </option>
                ))}
              </NativeSelect>
            </label>
            <ExternalLinkButton href={m.url}>Open on the Hub</ExternalLinkButton>
          </div>
          {gguf.length ? (
            <Card>
              <CardHeader icon={<Download />} title="GGUF quantizations" description="Pick one: each is the whole model at a different size and quality." />
              <CardBody>
                <GgufTable model={m} groups={gguf} />
              </CardBody>
            </Card>
          ) : null}
          <Card>
            <CardHeader
              icon={<FileText />}
              title="Files"
              description={`${m.groups.reduce((a, g) => a + g.files.length, 0)} files, ${formatBytes(m.groups.reduce((a, g) => a + g.size, 0))}`}
              actions={<WholeRevision model={m} />}
            />
            <CardBody>
              {others.map((g) => (
                <details key={g.label + g.files[0]?.path} className="text-sm">
                  <summary className="cursor-pointer">
                    {g.label}{' '}
                    <span className="text-muted-foreground">
                      ({g.files.length}, {formatBytes(g.size)})
                    </span>
                  </summary>
                  <ul className="mt-1 space-y-0.5 pl-4 font-mono text-xs text-muted-foreground">
                    {g.files.map((f) => (
                      <li key={f.path}>
                        {f.path} · {formatBytes(f.size)}
                      </li>
                    ))}
                  </ul>
                </details>
              ))}
            </CardBody>
          </Card>
          <Card>
            <CardHeader icon={<FileText />} title="Model card" />
            <CardBody>
              {m.card ? (
                <SafeMarkdown text={m.card} testId="model-card-text" />
              ) : (
                <p className="text-sm text-muted-foreground">{m.cardNote ?? 'This model has no card.'}</p>
              )}
            </CardBody>
          </Card>
        </>
      ) : details.isFetching ? (
        <p className="text-sm text-muted-foreground">Loading {id}…</p>
      ) : null}
    </div>
  );
}

function WholeRevision({ model }: { model: ModelDetails }) {
  const start = useDownloadFromPage(model);
  return (
    <Button size="sm" onClick={() => start.download(null)}>
      <Download />
      Download all
    </Button>
  );
}
