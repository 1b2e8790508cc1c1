import { Input } from '../../components/ui/input';
import { NativeSelect } from '../../components/ui/native-select';
import { Switch } from '../../components/ui/switch';
import { LICENSES, type PublishForm } from './publish-form';
import type { PublishDraft } from './use-publish-draft';

/**
 * How to commit: private and license only for a repo publishing creates (an existing one keeps
 * its own), the branch, and whether to open a pull request instead.
 */
export function RepoOptions({ form, update, isExisting }: { form: PublishForm; update: PublishDraft['update']; isExisting: boolean }) {
  return (
    <div className="flex flex-wrap items-center gap-x-6 gap-y-3 text-sm">
      {!isExisting ? (
        <>
          <label className="flex items-center gap-2">
            <Switch checked={form.isPrivate} onCheckedChange={(v) => update({ isPrivate: v })} aria-label="Private repo" />
            Private
          </label>
          <label className="flex items-center gap-2">
            License
            <NativeSelect value={form.license} onChange={(e) => update({ license: e.target.value })} aria-label="License">
              {LICENSES.map((l) => (
                <option key={l} value={l}>
                  {l || 'none yet'}
                </option>
              ))}
            </NativeSelect>
          </label>
        </>
      ) : null}
      <label className="flex items-center gap-2">
        Branch
        <Input className="w-36" value={form.revision} onChange={(e) => update({ revision: e.target.value })} aria-label="Branch" />
      </label>
      <label className="flex items-center gap-2">
        <Switch checked={form.createPr} onCheckedChange={(v) => update({ createPr: v })} aria-label="Open as a pull request" />
        Open as a pull request
      </label>
    </div>
  );
}
