import { useState } from 'react';
import { FolderUp, Plus, X } from 'lucide-react';
import type { LibraryItem } from '../../../src-main/contract/library';
import { useDropTarget } from '../../api/drop-target';
import { BrowseButton } from '../../components/FolderPicker';
import { Button } from '../../components/ui/button';
import { Card, CardBody, CardHeader } from '../../components/ui/card';
import { Input } from '../../components/ui/input';
import { fieldLabel } from './field-label';
import type { PublishForm } from './publish-form';
import { SourceSize } from './SourceSize';
import type { PublishDraft } from './use-publish-draft';

/**
 * What to publish: the Library model the page was opened for, paths on this machine (typed,
 * browsed, or dropped on the window), and where in the repo they go and which files.
 */
export function SourceCard({ draft, item, pickFolders }: { draft: PublishDraft; item: LibraryItem | null; pickFolders: boolean }) {
  const { form, update, addPaths } = draft;
  // Files or folders dropped on the window while this page is open are what to publish (desktop).
  useDropTarget('Drop to publish these files or folders', addPaths);
  return (
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
        <AddPaths form={form} update={update} pickFolders={pickFolders} />
        <RepoPathFields form={form} update={update} />
      </CardBody>
    </Card>
  );
}

/** A path typed (Add) or browsed for; one already there is not added twice. */
function AddPaths({ form, update, pickFolders }: { form: PublishForm; update: PublishDraft['update']; pickFolders: boolean }) {
  const [pathDraft, setPathDraft] = useState('');
  const addPath = () => {
    const p = pathDraft.trim();
    if (!p || form.paths.includes(p)) return;
    update({ paths: [...form.paths, p] });
    setPathDraft('');
  };
  return (
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
        label={pickFolders ? 'Choose folders…' : 'Browse…'}
        onPick={(paths) => {
          const fresh = paths.filter((p) => !form.paths.includes(p));
          if (fresh.length) update({ paths: [...form.paths, ...fresh] });
        }}
      />
    </form>
  );
}

/** Where in the repo the files go, and which of them: folded away, the defaults are usual. */
function RepoPathFields({ form, update }: { form: PublishForm; update: PublishDraft['update'] }) {
  return (
    <details className="text-sm">
      <summary className="cursor-pointer text-muted-foreground">Where in the repo, and which files</summary>
      <div className="mt-3 grid gap-3 sm:grid-cols-3">
        <label className={fieldLabel}>
          Folder in the repo
          <Input value={form.pathInRepo} onChange={(e) => update({ pathInRepo: e.target.value })} placeholder="(the root)" />
        </label>
        <label className={fieldLabel}>
          Only these
          <Input value={form.include} onChange={(e) => update({ include: e.target.value })} placeholder="*.safetensors *.json" />
        </label>
        <label className={fieldLabel}>
          Not these
          <Input value={form.exclude} onChange={(e) => update({ exclude: e.target.value })} placeholder="logs/* *.tmp" />
        </label>
      </div>
    </details>
  );
}
