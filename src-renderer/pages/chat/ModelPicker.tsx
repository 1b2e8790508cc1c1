import type { LibraryItem } from '../../../src-main/contract/library';
import { NativeSelect } from '../../components/ui/native-select';

/** The Library's GGUF models to chat with, the loaded one marked; disabled (and says why) when there is none. */
export function ModelPicker({
  models,
  value,
  loadedKey,
  onPick,
}: {
  models: LibraryItem[];
  value: string;
  loadedKey: string | null;
  onPick: (key: string) => void;
}) {
  return (
    <>
      <label htmlFor="model-picker" className="sr-only">
        Model
      </label>
      <NativeSelect
        id="model-picker"
        value={value}
        onChange={(e) => onPick(e.target.value)}
        // Never squeezed until its names are cut: below 16rem it takes a line of its own.
        className="min-w-64 max-w-md flex-1"
        disabled={models.length === 0}
      >
        {models.length === 0 ? <option value="">No GGUF models in your Library</option> : null}
        {models.map((m) => (
          <option key={m.key} value={m.key}>
            {m.name}
            {m.repo ? ` (${m.repo})` : ''}
            {loadedKey === m.key ? ' · loaded' : ''}
          </option>
        ))}
      </NativeSelect>
    </>
  );
}
