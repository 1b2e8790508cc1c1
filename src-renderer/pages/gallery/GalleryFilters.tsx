import type { GalleryCriteria } from '../../api/gallery';
import { NativeSelect } from '../../components/ui/native-select';

type Patch = Partial<Record<'q' | 'format' | 'task' | 'sort', string>>;

/** Format, task and sort of the Gallery's search (kept in the address by the page). */
export function GalleryFilters({ criteria, set }: { criteria: GalleryCriteria; set: (patch: Patch) => void }) {
  const { library, task, sort } = criteria;
  return (
    <>
      <NativeSelect aria-label="Format" value={library} onChange={(e) => set({ format: e.target.value })}>
        <option value="">All formats</option>
        <option value="gguf">GGUF</option>
        <option value="safetensors">safetensors</option>
      </NativeSelect>
      <NativeSelect aria-label="Task" value={task} onChange={(e) => set({ task: e.target.value })}>
        <option value="">All tasks</option>
        <option value="text-generation">Text generation</option>
        <option value="text-to-image">Text to image</option>
        <option value="feature-extraction">Embeddings</option>
        <option value="automatic-speech-recognition">Speech recognition</option>
      </NativeSelect>
      <NativeSelect aria-label="Sort" value={sort} onChange={(e) => set({ sort: e.target.value })}>
        <option value="trending">Trending</option>
        <option value="downloads">Most downloads</option>
        <option value="likes">Most likes</option>
        <option value="updated">Recently updated</option>
      </NativeSelect>
    </>
  );
}
