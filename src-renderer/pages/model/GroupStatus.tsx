import { useLocation } from 'wouter';
import { CheckCircle2, Download, Loader2, MessageSquare, RotateCcw } from 'lucide-react';
import type { FileGroup } from '../../../src-main/contract/model';
import { chatIntent } from '../../api/chat';
import { useLibrary } from '../../api/library';
import { Tooltip } from '../../components/ui/tooltip';
import { Button } from '../../components/ui/button';
import type { GroupState } from './local-state';

/**
 * One row's state on this machine and the next step: Download, its progress, or Downloaded (and,
 * for a GGUF, Open in Chat). Offline, a file not in the cache cannot be fetched, and says so.
 */
export function GroupStatus({ group, state, offline, onDownload }: { group: FileGroup; state: GroupState; offline: boolean; onDownload: () => void }) {
  const [, navigate] = useLocation();
  const library = useLibrary();
  if (state.state === 'downloading') {
    return (
      <span className="inline-flex items-center gap-1.5 text-xs text-primary" data-testid="group-state" data-state="downloading">
        <Loader2 className="size-3.5 animate-spin" aria-hidden />
        Downloading {state.percent} %
      </span>
    );
  }
  if (state.state === 'downloaded') {
    // The Library has read the file by now: a download whose header is not a model's is not offered to Chat.
    const item = state.libraryKey ? library.data?.find((i) => i.key === state.libraryKey) : undefined;
    const runnable = item && !item.problem && !item.missing;
    return (
      <span className="inline-flex items-center gap-2" data-testid="group-state" data-state="downloaded">
        {item?.problem ? (
          <Tooltip content={item.problem}>
            <span className="inline-flex items-center gap-1 text-xs text-warning">
              <CheckCircle2 className="size-3.5" aria-hidden />
              Downloaded · not a valid GGUF
            </span>
          </Tooltip>
        ) : (
          <span className="inline-flex items-center gap-1 text-xs text-success">
            <CheckCircle2 className="size-3.5" aria-hidden />
            {runnable ? 'In Library' : 'Downloaded'}
          </span>
        )}
        {runnable ? (
          <Button
            size="sm"
            onClick={() => {
              chatIntent.request(item.key);
              navigate('/chat');
            }}
            aria-label={`Open ${group.label} in Chat`}
          >
            <MessageSquare />
            Open in Chat
          </Button>
        ) : null}
      </span>
    );
  }
  if (state.state === 'failed') {
    // Why is said under the row (RowDownload); here, the way to try again.
    return (
      <Button size="sm" onClick={onDownload} aria-label={`Download ${group.label} again`} data-testid="group-state" data-state="failed">
        <RotateCcw />
        Try again
      </Button>
    );
  }
  if (offline) {
    return (
      <span className="text-xs text-muted-foreground" data-testid="group-state" data-state="absent">
        Not in the cache
      </span>
    );
  }
  return (
    <Button size="sm" onClick={onDownload} aria-label={`Download ${group.label}`} data-testid="group-state" data-state="absent">
      <Download />
      Download
    </Button>
  );
}
