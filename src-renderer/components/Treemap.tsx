import { hierarchy, treemap, treemapSquarify } from 'd3-hierarchy';
import { useMemo } from 'react';
import type { CacheRepoView, SharedStoreView } from '../../src-main/contract/cache';
import { formatBytes } from '../../src-main/contract/present/format';
import { cn } from '../lib/cn';

export interface Node {
  name: string;
  key?: string;
  value?: number;
  children?: Node[];
}

const HUES = [32, 200, 150, 270, 350, 95, 180, 10, 230, 55];

/**
 * A repo's tiles: each revision's own bytes, and one tile for blobs several revisions share, so a
 * blob is counted once and the repo's area is its real size on disk.
 */
export function tilesOf(r: CacheRepoView): Node[] {
  const own = r.revisions.map((v) => ({ name: `${r.id}@${v.refs[0] ?? v.commit.slice(0, 8)}`, key: r.key, value: v.uniqueBytes }));
  const shared = r.sizeOnDisk - own.reduce((a, t) => a + t.value, 0);
  const tiles = [...own, ...(shared > 0 ? [{ name: `${r.id} (shared by revisions)`, key: r.key, value: shared }] : [])].filter((t) => t.value > 0);
  // An empty repo still gets a sliver, so it can be seen and picked.
  return tiles.length ? tiles : [{ name: r.id, key: r.key, value: 1 }];
}

/** The key of the store's tiles: not a repo, so clicking one opens nothing. */
export const STORE_KEY = 'store';

/**
 * huggingface_hub 2.x's shared store, for the bytes no repo tile holds: payloads several repos use
 * (each once), and payloads no repo uses any more (what prune collects). With the repos' own bytes
 * the map then adds up to the cache on disk.
 */
export function storeTiles(store: Pick<SharedStoreView, 'sharedBytes' | 'unlinked'>): Node[] {
  const unlinked = store.unlinked.reduce((a, p) => a + p.size, 0);
  return [
    { name: 'Shared blob store (used by several repos)', key: STORE_KEY, value: store.sharedBytes },
    { name: 'Shared blob store (used by no repo: prune collects it)', key: STORE_KEY, value: unlinked },
  ].filter((t) => t.value > 0);
}

/** Disk usage by repo (colour) and revision (tile), squarified. Each tile is a button: click or Tab to it to open its repo. */
export function Treemap({
  repos,
  store,
  selected,
  onSelect,
  height = 240,
}: {
  repos: CacheRepoView[];
  /** The shared blob store's bytes that no repo tile holds. */
  store?: Node[];
  selected: string | null;
  onSelect: (key: string) => void;
  height?: number;
}) {
  const width = 1000;
  const leaves = useMemo(() => {
    const root = hierarchy<Node>({
      name: 'cache',
      children: [
        ...repos.map((r) => ({
          name: r.id,
          key: r.key,
          children: tilesOf(r),
        })),
        ...(store?.length ? [{ name: 'store', key: STORE_KEY, children: store }] : []),
      ],
    })
      .sum((d) => d.value ?? 0)
      .sort((a, b) => (b.value ?? 0) - (a.value ?? 0));
    treemap<Node>().tile(treemapSquarify).size([width, height]).paddingInner(2).paddingOuter(0).round(true)(root);
    return root.leaves() as (ReturnType<typeof root.leaves>[number] & { x0: number; x1: number; y0: number; y1: number })[];
  }, [repos, store, height]);
  const hueOf = new Map(repos.map((r, i) => [r.key, HUES[i % HUES.length] as number]));
  if (!repos.length) return null;
  return (
    <div className="relative w-full overflow-hidden rounded-lg" style={{ height }} role="group" aria-label="Disk usage by repo and revision">
      {leaves.map((leaf) => {
        const key = leaf.data.key as string;
        const w = ((leaf.x1 - leaf.x0) / width) * 100;
        const h = leaf.y1 - leaf.y0;
        const isStore = key === STORE_KEY;
        const hue = hueOf.get(key) ?? 30;
        return (
          <button
            key={leaf.data.name}
            type="button"
            title={`${leaf.data.name}: ${formatBytes(leaf.value ?? 0)}`}
            aria-label={`${leaf.data.name}: ${formatBytes(leaf.value ?? 0)}`}
            aria-pressed={selected === key}
            onClick={() => (isStore ? undefined : onSelect(key))}
            className={cn(
              'absolute overflow-hidden rounded-sm p-1.5 text-left text-[11px] leading-tight text-white transition-opacity hover:opacity-90 focus-visible:outline-2 focus-visible:outline-offset-1 focus-visible:outline-ring',
              selected && selected !== key && 'opacity-45',
            )}
            style={{
              left: `${(leaf.x0 / width) * 100}%`,
              top: leaf.y0,
              width: `${w}%`,
              height: h,
              background: isStore ? 'hsl(220 8% 46%)' : `hsl(${hue} 65% 42%)`,
            }}
          >
            {w > 7 && h > 28 ? (
              <>
                <span className="block truncate font-medium">{leaf.data.name}</span>
                <span className="block opacity-80">{formatBytes(leaf.value ?? 0)}</span>
              </>
            ) : null}
          </button>
        );
      })}
    </div>
  );
}
