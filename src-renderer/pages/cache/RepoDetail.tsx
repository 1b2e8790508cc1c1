import { useState } from 'react';
import { useLocation } from 'wouter';
import { FolderOpen, Share2, ShieldCheck, Trash2 } from 'lucide-react';
import type { CacheRepoView } from '../../../src-main/contract/cache';
import { formatAgo, formatBytes, plural } from '../../../src-main/contract/present/format';
import { useAppInfo, useOpenPlace } from '../../api/app';
import { useRepairRepo, useVerifyRepo } from '../../api/cache';
import { ErrorNotice } from '../../components/ErrorNotice';
import { Badge } from '../../components/ui/badge';
import { Button } from '../../components/ui/button';
import type { AskDelete } from './DeleteFlow';
import { FileList } from './FileList';
import { VerifyResult } from './VerifyResult';
import { AlsoUsedIn } from './AlsoUsedIn';
import { UseInAppDialog } from './UseInApp';

export function RepoDetail({ repo, ask }: { repo: CacheRepoView; ask: AskDelete }) {
  const info = useAppInfo();
  const [open, setOpen] = useState<string | null>(null);
  const verify = useVerifyRepo(repo.key);
  const show = useOpenPlace();
  const [, navigate] = useLocation();
  const repair = useRepairRepo(repo.key);
  const [useIn, setUseIn] = useState<{ repo: string; commit: string; name: string } | null>(null);
  return (
    <div className="space-y-4" data-testid="repo-detail">
      <div className="flex items-start gap-3">
        <div className="min-w-0 flex-1">
          <h3 className="truncate text-lg font-semibold">{repo.id}</h3>
          <p className="text-sm text-muted-foreground">
            {formatBytes(repo.sizeOnDisk)} on disk · {plural(repo.nbFiles, 'blob')} · last used {formatAgo(repo.lastAccessed)}
          </p>
          {repo.sharedBytes > 0 ? (
            <p className="text-sm text-muted-foreground" data-testid="repo-shared">
              Also uses {formatBytes(repo.sharedBytes)} it shares with {repo.sharedWith.map((k) => k.replace(/^\w+:/, '')).join(', ')} (Python&apos;s shared
              blob store): deleting it frees none of that while they keep it.
            </p>
          ) : null}
        </div>
        {info.data?.capabilities.openInFileManager ? (
          <Button size="sm" onClick={() => show.mutate({ place: 'cacheRepo', repo: repo.key })}>
            <FolderOpen />
            Show
          </Button>
        ) : null}
        <Button size="sm" onClick={() => verify.mutate()} disabled={verify.isPending}>
          <ShieldCheck />
          {verify.isPending ? 'Verifying…' : 'Verify'}
        </Button>
        <Button size="sm" variant="danger" onClick={() => ask([{ kind: 'repo', repo: repo.key }], `Delete ${repo.id}?`)}>
          <Trash2 />
          Delete repo
        </Button>
      </div>
      {verify.data ? (
        <VerifyResult
          result={verify.data}
          repairing={repair.isPending}
          onRepair={() => repair.mutate(undefined, { onSuccess: () => navigate('/downloads') })}
        />
      ) : null}
      {verify.error ? <ErrorNotice error={verify.error} /> : null}
      {repair.error ? <ErrorNotice error={repair.error} /> : null}
      <AlsoUsedIn repo={repo.key} />
      <UseInAppDialog target={useIn} onClose={() => setUseIn(null)} />
      <ul className="space-y-2">
        {repo.revisions.map((rev) => (
          <li key={rev.commit} className="rounded-lg border border-border p-3" data-testid="revision">
            <div className="flex flex-wrap items-center gap-2">
              <code className="font-mono text-sm">{rev.commit.slice(0, 10)}</code>
              {rev.refs.length ? (
                rev.refs.map((r) => (
                  <Badge key={r} tone="primary">
                    {r}
                  </Badge>
                ))
              ) : (
                <Badge>detached</Badge>
              )}
              <span className="flex-1" />
              <span className="text-xs text-muted-foreground">
                {plural(rev.nbFiles, 'file')} · {formatBytes(rev.sizeOnDisk)} · {formatAgo(rev.lastModified)}
              </span>
              <Button
                size="sm"
                variant="ghost"
                aria-label={`Use revision ${rev.commit.slice(0, 8)} in another app`}
                title="Use in another app"
                onClick={() => setUseIn({ repo: repo.key, commit: rev.commit, name: `${repo.id}@${rev.refs[0] ?? rev.commit.slice(0, 8)}` })}
              >
                <Share2 />
              </Button>
              <Button size="sm" variant="ghost" onClick={() => setOpen(open === rev.commit ? null : rev.commit)}>
                {open === rev.commit ? 'Hide files' : 'Files'}
              </Button>
              <Button
                size="sm"
                variant="ghost"
                aria-label={`Delete revision ${rev.commit.slice(0, 8)}`}
                onClick={() => ask([{ kind: 'revision', repo: repo.key, commit: rev.commit }], `Delete revision ${rev.refs[0] ?? rev.commit.slice(0, 8)}?`)}
              >
                <Trash2 />
              </Button>
            </div>
            {open === rev.commit ? (
              <div className="mt-2 space-y-2">
                <FileList repo={repo.key} commit={rev.commit} snapshotPath={rev.snapshotPath} />
              </div>
            ) : null}
          </li>
        ))}
      </ul>
    </div>
  );
}
