import { useState } from 'react';
import { useMutation } from '@tanstack/react-query';
import { Link, useLocation, useParams } from 'wouter';
import { ArrowLeft, Download, FileText, Heart } from 'lucide-react';
import type { FileGroup, ModelDetails } from '../../src-main/contract/model';
import { formatBytes, formatCount } from '../../src-main/contract/present/format';
import { useApi, useApiQuery } from '../api/context';
import { ErrorNotice } from '../components/ErrorNotice';
import { ExternalLinkButton } from '../components/ExternalLink';
import { SafeMarkdown } from '../components/SafeMarkdown';
import { Badge } from '../components/ui/badge';
import { AccessBadges } from '../components/AccessBadges';
import { Button } from '../components/ui/button';
import { Card, CardBody, CardHeader } from '../components/ui/card';
import { Tooltip } from '../components/ui/tooltip';
import { FitBadge } from '../components/FitBadge';

function useStartDownload(model: ModelDetails) {
  const api = useApi();
  const [, navigate] = useLocation();
  return useMutation({
    mutationFn: (files: string[] | null) =>
      api.call('downloads.start', { repo: model.id, revision: model.revision, commit: model.sha, ...(files ? { files } : {}) }),
    onSuccess: () => navigate('/downloads'),
  });
}

/** Whether one GGUF fits this machine: node-llama-cpp's estimate from the file's header alone. */
function FitCell({ model, path }: { model: ModelDetails; path: string }) {
  const fit = useApiQuery('gallery.fit', { repo: model.id, revision: model.sha, path }, { staleTime: Infinity, retry: false });
  if (fit.data) return <FitBadge fit={fit.data} />;
  if (fit.error)
    return (
      <Tooltip content={fit.error.message}>
        <span className="text-xs text-muted-foreground" data-testid="fit-unknown">
          unknown
        </span>
      </Tooltip>
    );
  return <span className="text-xs text-muted-foreground">estimating…</span>;
}

function GgufTable({ model, groups }: { model: ModelDetails; groups: FileGroup[] }) {
  const start = useStartDownload(model);
  return (
    <div className="space-y-2">
      <table className="w-full text-sm" data-testid="gguf-table">
        <thead className="text-left text-xs text-muted-foreground">
          <tr>
            <th className="py-1.5 font-medium">Quantization</th>
            <th className="font-medium">File</th>
            <th className="text-right font-medium">Size</th>
            <th className="pl-3 font-medium">This machine</th>
            <th />
          </tr>
        </thead>
        <tbody>
          {groups.map((g) => (
            <tr key={g.label + g.files[0]?.path} className="border-t border-border" data-testid="gguf-row">
              <td className="py-2 font-medium">{g.label}</td>
              <td className="max-w-80 truncate font-mono text-xs text-muted-foreground">
                {g.parts > 1 ? `${g.files[0]?.path.replace(/-00001-of-\d{5}\.gguf$/i, '')} (${g.parts} parts)` : g.files[0]?.path}
              </td>
              <td className="text-right font-mono text-xs">{formatBytes(g.size)}</td>
              <td className="pl-3">{g.files[0] ? <FitCell model={model} path={g.files[0].path} /> : null}</td>
              <td className="pl-3 text-right">
                <Button size="sm" onClick={() => start.mutate(g.files.map((f) => f.path))} aria-label={`Download ${g.label}`}>
                  <Download />
                  Download
                </Button>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      <p className="text-xs text-muted-foreground">
        Fit estimates come from each file's header alone (a few MB read over HTTP ranges), checked by node-llama-cpp against this machine's GPU and RAM for a
        context of up to 8,192 tokens. Hover a badge for the numbers.
      </p>
      {start.error ? <ErrorNotice error={start.error} /> : null}
    </div>
  );
}

export function ModelPage() {
  const params = useParams<{ id: string }>();
  const id = decodeURIComponent(params.id ?? '');
  const [revision, setRevision] = useState('main');
  const details = useApiQuery('gallery.model', { repo: id, revision });
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
              <select
                aria-label="Revision"
                value={revision}
                onChange={(e) => setRevision(e.target.value)}
                className="h-9 rounded-md border border-input bg-background px-2 text-sm"
              >
                {[...new Set(['main', ...m.branches, ...m.tags_, revision])].map((r) => (
                  <option key={r} value={r}>
                    {r}
                  </option>
                ))}
              </select>
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
  const start = useStartDownload(model);
  return (
    <Button size="sm" onClick={() => start.mutate(null)}>
      <Download />
      Download all
    </Button>
  );
}
