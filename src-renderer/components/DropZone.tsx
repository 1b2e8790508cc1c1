import { useEffect, useState, type ReactNode } from 'react';
import { CheckCircle2, FileUp, X, XCircle } from 'lucide-react';
import { formatBytes } from '../../src-main/contract/present/format';
import { dropTarget, useCurrentDropTarget } from '../api/drop-target';
import { useAddDropped, useFilesOpened, useHasFilePaths, usePathForFile } from '../api/library';
import { Progress } from './ui/progress';
import { Button } from './ui/button';

/** Drop .gguf / .safetensors files or folders anywhere in the window. */
export function DropZone({ children }: { children: ReactNode }) {
  const [dragging, setDragging] = useState(false);
  const { add, show, state, clear } = useAddDropped();
  // Files opened from the OS (file association, a second launch) report here too.
  useFilesOpened(show);
  const byPath = useHasFilePaths();
  const pathFor = usePathForFile();
  const target = useCurrentDropTarget();
  useEffect(() => {
    let depth = 0;
    const hasFiles = (e: DragEvent) => Array.from(e.dataTransfer?.types ?? []).includes('Files');
    const enter = (e: DragEvent) => {
      if (!hasFiles(e)) return;
      depth++;
      setDragging(true);
    };
    const leave = () => {
      depth = Math.max(0, depth - 1);
      if (depth === 0) setDragging(false);
    };
    const over = (e: DragEvent) => {
      if (hasFiles(e)) e.preventDefault();
    };
    const drop = (e: DragEvent) => {
      if (!hasFiles(e)) return;
      e.preventDefault();
      depth = 0;
      setDragging(false);
      const files = Array.from(e.dataTransfer?.files ?? []);
      if (!files.length) return;
      // The page on screen takes paths itself (Publish), where the window knows them.
      const page = dropTarget.get();
      if (page && pathFor) page.take(files.map((f) => pathFor(f)));
      else void add(files);
    };
    window.addEventListener('dragenter', enter);
    window.addEventListener('dragleave', leave);
    window.addEventListener('dragover', over);
    window.addEventListener('drop', drop);
    return () => {
      window.removeEventListener('dragenter', enter);
      window.removeEventListener('dragleave', leave);
      window.removeEventListener('dragover', over);
      window.removeEventListener('drop', drop);
    };
  }, [add, pathFor]);
  const { uploading, result, error } = state;
  return (
    <>
      {children}
      {dragging ? (
        <div className="pointer-events-none fixed inset-0 z-50 flex items-center justify-center bg-background/80 backdrop-blur-sm" data-testid="drop-overlay">
          <div className="flex flex-col items-center gap-3 rounded-2xl border-2 border-dashed border-primary px-16 py-12 text-center">
            <FileUp className="size-10 text-primary" />
            <p className="text-lg font-semibold">{target && byPath ? target.label : 'Drop to add to your Library'}</p>
            <p className="text-sm text-muted-foreground">
              {byPath
                ? '.gguf or .safetensors files, or a folder holding them. They are used where they are: nothing is copied.'
                : '.gguf or .safetensors files. They are sent to the server running hubcap serve, into its models folder.'}
            </p>
          </div>
        </div>
      ) : null}
      {uploading || result || error ? (
        <div
          className="fixed bottom-12 right-6 z-40 w-96 space-y-2 rounded-xl border border-border bg-card p-4 shadow-lg"
          data-testid="drop-result"
          role="status"
        >
          <div className="flex items-center justify-between">
            <span className="text-sm font-semibold">{uploading ? 'Adding to your Library…' : 'Library'}</span>
            {!uploading ? (
              <Button size="icon" variant="ghost" onClick={clear} aria-label="Dismiss">
                <X />
              </Button>
            ) : null}
          </div>
          {uploading ? (
            <>
              <p className="truncate text-xs text-muted-foreground">
                {uploading.name}: {formatBytes(uploading.sent)} of {formatBytes(uploading.total)}
              </p>
              <Progress value={(uploading.sent / Math.max(1, uploading.total)) * 100} label={`Uploading ${uploading.name}`} />
            </>
          ) : null}
          {result?.added.map((a) => (
            <p key={a.key} className="flex items-start gap-2 text-sm text-success">
              <CheckCircle2 className="mt-0.5 size-4 shrink-0" /> Added {a.name}
            </p>
          ))}
          {result?.skipped.map((s) => (
            <p key={s.path} className="flex items-start gap-2 text-sm text-danger">
              <XCircle className="mt-0.5 size-4 shrink-0" />
              <span>
                <b>{s.path.split(/[\\/]/).pop()}</b>: {s.reason}
              </span>
            </p>
          ))}
          {error ? <p className="text-sm text-danger">{error}</p> : null}
        </div>
      ) : null}
    </>
  );
}
