import { useRef } from 'react';
import { useVirtualizer } from '@tanstack/react-virtual';
import type { FileVia, JobFile } from '../../../src-main/contract/downloads';
import { formatBytes } from '../../../src-main/contract/present/format';
import { Badge } from '../../components/ui/badge';

type Tone = 'neutral' | 'primary' | 'success' | 'danger';

/** How a finished file's bytes came, as a row says it, and the longer words of its title. */
const VIA: Record<FileVia, { label: string; title: string; tone: Tone }> = {
  xet: { label: 'Xet', title: 'Fetched as xorb ranges from the Hub’s Xet storage, then checked against its sha256.', tone: 'primary' },
  http: { label: 'HTTP', title: 'Fetched whole from the Hub’s download host (the classic road), then checked against its sha256.', tone: 'neutral' },
  local: { label: 'another repo', title: 'The same file was already in another repo of this cache: nothing was downloaded.', tone: 'success' },
  store: {
    label: 'shared store',
    title: 'Linked from the cache’s shared blob store, where another repo or Python put it: nothing was downloaded.',
    tone: 'success',
  },
  present: { label: 'already here', title: 'This revision already had the file, checked by its hash: nothing was downloaded.', tone: 'success' },
};

/** What a file's row says of it: how its bytes came once done, else where it stands. */
export function fileHow(f: JobFile): { text: string; title?: string; tone: Tone; badge: boolean } {
  if (f.state === 'done' && f.via) return { text: VIA[f.via].label, title: VIA[f.via].title, tone: VIA[f.via].tone, badge: true };
  if (f.state === 'error') return { text: 'failed', tone: 'danger', badge: false };
  if (f.state === 'waiting') return { text: 'another program is downloading it', tone: 'neutral', badge: false };
  if (f.checking) return { text: `checking ${Math.floor((100 * f.checking.done) / Math.max(1, f.checking.total))}%`, tone: 'neutral', badge: false };
  if (f.state === 'downloading') return { text: `${Math.floor((100 * f.done) / Math.max(1, f.size))}%`, tone: 'neutral', badge: false };
  return { text: f.state === 'done' ? 'done' : 'queued', tone: 'neutral', badge: false };
}

/**
 * A job's files, each with how its bytes came (#25.5: which protocol each file used, and what this
 * machine saved), virtual so a snapshot of thousands of files stays one short list.
 */
export function JobFiles({ files }: { files: readonly JobFile[] }) {
  const parent = useRef<HTMLDivElement>(null);
  const virtual = useVirtualizer({ count: files.length, getScrollElement: () => parent.current, estimateSize: () => 30, overscan: 20 });
  return (
    <div ref={parent} className="max-h-64 overflow-y-auto rounded-md border border-border" data-testid="job-files">
      <div style={{ height: virtual.getTotalSize(), position: 'relative' }}>
        {virtual.getVirtualItems().map((row) => {
          const f = files[row.index];
          if (!f) return null;
          const how = fileHow(f);
          return (
            <div
              key={f.path}
              data-testid="job-file"
              className="absolute left-0 flex w-full items-center gap-3 px-3 text-xs"
              style={{ top: row.start, height: row.size }}
            >
              <span className="min-w-0 flex-1 truncate font-mono" title={f.path}>
                {f.path}
              </span>
              {f.xetHashDiffers ? (
                <Badge
                  tone="warning"
                  data-testid="job-file-xet-hash"
                  title="Its sha256 matched, so the file was kept, but the chunks the Xet storage sent did not hash to the Xet hash the Hub named for it."
                >
                  Xet hash differs
                </Badge>
              ) : null}
              {f.reusedBytes ? (
                <span className="shrink-0 text-muted-foreground" title="Chunks taken from an older copy on this machine instead of the network.">
                  {formatBytes(f.reusedBytes)} from this machine
                </span>
              ) : null}
              {f.repeatedBytes ? (
                <span
                  className="shrink-0 text-muted-foreground"
                  data-testid="job-file-repeated"
                  title="Parts of this file repeat: each repeated chunk was downloaded once and written again where it comes back."
                >
                  {formatBytes(f.repeatedBytes)} repeats
                </span>
              ) : null}
              {how.badge ? (
                <Badge tone={how.tone} title={how.title} data-testid="job-file-via">
                  {how.text}
                </Badge>
              ) : (
                <span className={how.tone === 'danger' ? 'shrink-0 text-danger' : 'shrink-0 text-muted-foreground'}>{how.text}</span>
              )}
              <span className="w-16 shrink-0 text-right font-mono text-muted-foreground">{formatBytes(f.size)}</span>
            </div>
          );
        })}
      </div>
    </div>
  );
}
