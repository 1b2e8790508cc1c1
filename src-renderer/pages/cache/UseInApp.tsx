import { useState } from 'react';
import { Check, Share2 } from 'lucide-react';
import { EXPORT_APPS, EXPORT_MODES, type ExportApp, type ExportInput, type ExportMode } from '../../../src-main/contract/export';
import { APP_NAMES } from '../../../src-main/contract/apps';
import { formatBytes, plural } from '../../../src-main/contract/present/format';
import { useExportPlan, useRunExport } from '../../api/export';
import { ErrorNotice } from '../../components/ErrorNotice';
import { BrowseButton } from '../../components/FolderPicker';
import { Button } from '../../components/ui/button';
import { Dialog } from '../../components/ui/dialog';
import { Input } from '../../components/ui/input';
import { NativeSelect } from '../../components/ui/native-select';
import { Switch } from '../../components/ui/switch';
import { ExportItems, ModeChoices } from './ExportPlanParts';

type Target = ExportApp | 'folder';

function Toggle({ label, checked, onChange }: { label: string; checked: boolean; onChange: (v: boolean) => void }) {
  return (
    <label className="flex items-center gap-2 text-sm">
      <Switch checked={checked} onCheckedChange={onChange} aria-label={label} />
      {label}
    </label>
  );
}

/**
 * "Use in another app": choose the app (or a folder), see where each file goes and what each way of
 * placing it costs on these drives, then place them. A taken name is shown with both files and
 * replaced only when switched on; a missing app folder is created only when asked.
 */
export interface UseInAppTarget {
  repo: string;
  commit: string;
  name: string;
  /** Only these files (a Library model's file); the whole revision when absent. */
  files?: string[];
}

function UseInAppBody({ repo, commit, name, files, onDone }: UseInAppTarget & { onDone: () => void }) {
  const [target, setTarget] = useState<Target>('comfyui');
  const [folder, setFolder] = useState('');
  const [mode, setMode] = useState<ExportMode | ''>('');
  const [replace, setReplace] = useState(false);
  const [createFolder, setCreateFolder] = useState(false);
  const base = { repo, revision: commit, ...(files ? { files } : {}) };
  const input: ExportInput | null =
    target === 'folder' ? (folder ? { ...base, to: folder, createFolder } : null) : { ...base, app: target, ...(folder ? { to: folder } : {}), createFolder };
  const plan = useExportPlan(input);
  const run = useRunExport();
  const p = plan.data;
  const chosen = mode || p?.suggested || '';
  const missing = p?.problems.some((x) => x.code === 'FOLDER_MISSING');
  const blocking = p?.problems.filter((x) => !(x.code === 'FOLDER_MISSING' && createFolder)) ?? [];
  const conflicts = p?.items.filter((i) => i.state === 'conflict').length ?? 0;
  const ready = p && input && chosen && !blocking.length && (!conflicts || replace) && p.items.length > 0;
  if (run.data)
    return (
      <div className="space-y-3" data-testid="export-done">
        <p className="flex items-center gap-2 text-sm">
          <Check className="size-4 text-success" />
          {name}: {plural(run.data.placed, 'file')} placed by {run.data.record.mode} in {run.data.record.root}
          {run.data.same ? ` (${run.data.same} already there)` : ''}.
        </p>
        <div className="flex justify-end">
          <Button onClick={onDone}>Done</Button>
        </div>
      </div>
    );
  return (
    <div className="max-h-[70vh] space-y-3 overflow-y-auto pr-1">
      <div className="flex flex-wrap items-center gap-2">
        <NativeSelect
          value={target}
          aria-label="App"
          onChange={(e) => {
            setTarget(e.target.value as Target);
            setFolder('');
            setMode('');
          }}
        >
          {EXPORT_APPS.map((a) => (
            <option key={a} value={a}>
              {APP_NAMES[a]}
            </option>
          ))}
          <option value="folder">A folder</option>
        </NativeSelect>
        <NativeSelect value={chosen} aria-label="How" onChange={(e) => setMode(e.target.value as ExportMode)}>
          <option value="" disabled>
            How…
          </option>
          {EXPORT_MODES.map((m) => (
            <option key={m} value={m} disabled={p ? !p.modes.find((x) => x.mode === m)?.available : false}>
              {m}
            </option>
          ))}
        </NativeSelect>
      </div>
      <div className="flex items-center gap-2">
        <Input
          value={folder || (target === 'folder' ? '' : (p?.root ?? ''))}
          placeholder={target === 'folder' ? 'Folder to place the files in' : 'The app’s models folder'}
          onChange={(e) => setFolder(e.target.value)}
          aria-label="Target folder"
          className="font-mono text-xs"
        />
        <BrowseButton title="Choose the folder" onPick={([p0]) => p0 && setFolder(p0)} />
      </div>
      {p ? (
        <p className="text-xs text-muted-foreground">
          {p.because}
          {p.sameDrive ? '' : ' · on another drive than the cache'}
        </p>
      ) : null}
      {plan.error ? <ErrorNotice error={plan.error} /> : null}
      {p ? (
        <>
          {p.problems.map((x) => (
            <p key={x.message} className="text-sm text-warning" data-testid="export-problem">
              {x.message}
            </p>
          ))}
          {missing ? <Toggle label="Create the folder" checked={createFolder} onChange={setCreateFolder} /> : null}
          <ExportItems plan={p} />
          {conflicts ? <Toggle label={`Replace ${plural(conflicts, 'file')} already there`} checked={replace} onChange={setReplace} /> : null}
          <ModeChoices modes={p.modes} chosen={chosen} />
        </>
      ) : null}
      {run.error ? <ErrorNotice error={run.error} /> : null}
      <div className="flex justify-end gap-2">
        <Button onClick={onDone}>Cancel</Button>
        <Button variant="primary" disabled={!ready || run.isPending} onClick={() => input && chosen && run.mutate({ ...input, mode: chosen, replace })}>
          <Share2 />
          Place {p ? `${plural(p.items.length, 'file')} (${formatBytes(p.totalBytes)})` : 'files'}
        </Button>
      </div>
    </div>
  );
}

export function UseInAppDialog({ target, onClose }: { target: UseInAppTarget | null; onClose: () => void }) {
  return (
    <Dialog
      open={target !== null}
      onOpenChange={(o) => !o && onClose()}
      title={`Use ${target?.name ?? ''} in another app`}
      description="Its files where that app looks, with readable names; the cache keeps its own."
    >
      {target ? <UseInAppBody key={`${target.repo}@${target.commit}`} {...target} onDone={onClose} /> : null}
    </Dialog>
  );
}
