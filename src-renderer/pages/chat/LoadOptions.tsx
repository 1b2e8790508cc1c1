import { useState } from 'react';
import { SlidersHorizontal } from 'lucide-react';
import { LOAD_SETTING_BOUNDS, type LoadSettings } from '../../../src-main/contract/inference';
import { Button } from '../../components/ui/button';
import { Dialog } from '../../components/ui/dialog';
import { Input } from '../../components/ui/input';

export type Overrides = Partial<LoadSettings>;

/** Per-load overrides of the Settings defaults, within the contract's bounds. */
export function LoadOptions({ value, onChange }: { value: Overrides; onChange: (v: Overrides) => void }) {
  const [open, setOpen] = useState(false);
  const field = (key: keyof LoadSettings, label: string, hint: string, allowAuto: boolean) => {
    const v = value[key];
    return (
      <div className="space-y-1">
        <label htmlFor={`load-${key}`} className="text-xs font-medium">
          {label}
        </label>
        <Input
          id={`load-${key}`}
          type="number"
          min={LOAD_SETTING_BOUNDS[key].min}
          max={LOAD_SETTING_BOUNDS[key].max}
          placeholder={allowAuto ? 'auto' : 'default'}
          value={v === undefined || v === null || v === 'auto' ? '' : v}
          onChange={(e) => {
            const rest = Object.fromEntries(Object.entries(value).filter(([k]) => k !== key)) as Overrides;
            onChange(e.target.value === '' ? rest : { ...rest, [key]: Math.trunc(Number(e.target.value)) });
          }}
        />
        <p className="text-xs text-muted-foreground">{hint}</p>
      </div>
    );
  };
  return (
    <>
      <Button size="icon" variant="ghost" aria-label="Load options" onClick={() => setOpen(true)}>
        <SlidersHorizontal />
      </Button>
      <Dialog
        open={open}
        onOpenChange={setOpen}
        title="Load options"
        description="Empty fields use the defaults from Settings (auto fits what this machine can hold)."
      >
        <div className="grid grid-cols-2 gap-4">
          {field('gpuLayers', 'GPU layers', 'Layers offloaded to the GPU.', true)}
          {field('contextSize', 'Context size', 'Tokens the model can see at once.', true)}
          {field('batchSize', 'Batch size', 'Tokens evaluated per step.', false)}
          {field('threads', 'Threads', 'CPU threads for generation.', false)}
        </div>
        <div className="mt-5 flex justify-end">
          <Button variant="primary" onClick={() => setOpen(false)}>
            Done
          </Button>
        </div>
      </Dialog>
    </>
  );
}
