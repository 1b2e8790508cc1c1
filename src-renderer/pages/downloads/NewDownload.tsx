import { useState, type FormEvent } from 'react';
import { Download } from 'lucide-react';
import { splitSelection } from '../../../src-main/contract/downloads';
import { parseRepoSpec } from '../../../src-main/contract/keys';
import { useStartDownload } from '../../api/downloads';
import { ErrorNotice } from '../../components/ErrorNotice';
import { Button } from '../../components/ui/button';
import { Card, CardBody, CardHeader } from '../../components/ui/card';
import { Input } from '../../components/ui/input';

/** The form: a repo as the `hf` CLI reads it (`org/name`, `dataset/org/name`), a revision, files or patterns. */
export function NewDownload() {
  const start = useStartDownload();
  const [repo, setRepo] = useState('');
  const [revision, setRevision] = useState('main');
  const [selection, setSelection] = useState('');
  const submit = (e: FormEvent) => {
    e.preventDefault();
    const { files, patterns } = splitSelection(selection.split(/[\s,]+/).filter(Boolean));
    // An unreadable spec goes to the core as typed, which answers with the precise reason.
    const spec = parseRepoSpec(repo.trim());
    start.mutate(
      {
        repo: spec?.id ?? repo,
        repoType: spec?.type ?? 'model',
        revision,
        ...(files.length ? { files } : {}),
        ...(patterns.length ? { patterns } : {}),
      },
      { onSuccess: () => setSelection('') },
    );
  };
  return (
    <Card>
      <CardHeader
        icon={<Download />}
        title="Download from the Hub"
        description="Into the Hugging Face cache, resumable and verified. Leave files empty for the whole revision."
      />
      <CardBody>
        <form onSubmit={submit} className="grid grid-cols-[2fr_1fr] gap-3">
          <label className="space-y-1 text-sm font-medium">
            Repo id
            <Input value={repo} onChange={(e) => setRepo(e.target.value)} placeholder="org/model-name" spellCheck={false} required aria-label="Repo id" />
          </label>
          <label className="space-y-1 text-sm font-medium">
            Revision
            <Input value={revision} onChange={(e) => setRevision(e.target.value)} spellCheck={false} aria-label="Revision" />
          </label>
          <label className="col-span-2 space-y-1 text-sm font-medium">
            Files or patterns <span className="font-normal text-muted-foreground">(optional: config.json *.gguf *Q4_K_M*)</span>
            <Input value={selection} onChange={(e) => setSelection(e.target.value)} spellCheck={false} aria-label="Files or patterns" className="font-mono" />
          </label>
          <div className="col-span-2 flex items-center gap-3">
            <Button type="submit" variant="primary" disabled={start.isPending || !repo.trim()}>
              <Download />
              Download
            </Button>
            {start.error ? <ErrorNotice error={start.error} className="flex-1" /> : null}
          </div>
        </form>
      </CardBody>
    </Card>
  );
}
