import { useRef } from 'react';
import { FilePlus2 } from 'lucide-react';
import { formatBytes } from '../../../src-main/contract/present/format';
import { useAddDropped, useHasFilePaths, usePickFiles } from '../../api/library';
import { ErrorNotice } from '../../components/ErrorNotice';
import { Button } from '../../components/ui/button';

/** "Add files…": the native dialog on desktop (files stay where they are), a file picker that uploads under serve. */
export function AddFiles({ variant = 'primary' }: { variant?: 'primary' | 'outline' }) {
  const input = useRef<HTMLInputElement>(null);
  const { add, state } = useAddDropped();
  const pick = usePickFiles();
  const native = useHasFilePaths();
  const result = pick.data ?? state.result;
  return (
    <div className="space-y-2">
      <Button variant={variant} onClick={() => (native ? pick.mutate() : input.current?.click())} disabled={pick.isPending || state.uploading !== null}>
        <FilePlus2 />
        Add files…
      </Button>
      <input
        ref={input}
        type="file"
        multiple
        accept=".gguf,.safetensors"
        className="hidden"
        aria-label="Model files"
        onChange={(e) => {
          const files = Array.from(e.target.files ?? []);
          e.target.value = '';
          if (files.length) void add(files);
        }}
      />
      {state.uploading ? (
        <p className="text-xs text-muted-foreground">
          Uploading {state.uploading.name}: {formatBytes(state.uploading.sent)} of {formatBytes(state.uploading.total)}
        </p>
      ) : null}
      {result?.skipped.map((s) => (
        <p key={s.path} className="text-xs text-danger">
          {s.path.split(/[\\/]/).pop()}: {s.reason}
        </p>
      ))}
      {pick.error ? <ErrorNotice error={pick.error} /> : null}
    </div>
  );
}
