import { useEffect, useState, type ReactNode } from 'react';
import { FileUp } from 'lucide-react';
import { dropTarget, useCurrentDropTarget } from '../api/drop-target';
import { useAddDropped, useFilesOpened, useHasFilePaths, usePathForFile } from '../api/library';
import { useDropToasts } from './toasts/drop-toasts';

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
  useDropToasts(state, clear);
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
    </>
  );
}
