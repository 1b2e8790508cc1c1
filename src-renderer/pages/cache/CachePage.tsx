import { useMemo, useState } from 'react';
import { useLocation, useParams } from 'wouter';
import { HardDrive, RefreshCw } from 'lucide-react';
import { formatBytes, plural } from '../../../src-main/contract/present/format';
import { useCacheScan, useRescan } from '../../api/cache';
import { PageHeader } from '../../components/PageHeader';
import { PathField } from '../../components/PathField';
import { ErrorNotice } from '../../components/ErrorNotice';
import { storeTiles, Treemap } from '../../components/Treemap';
import { Button } from '../../components/ui/button';
import { Card, CardBody, CardHeader } from '../../components/ui/card';
import { SearchInput } from '../../components/ui/search-input';
import { cn } from '../../lib/cn';
import { Cleanup } from './Cleanup';
import { useDeleteFlow } from './DeleteFlow';
import { RepoDetail } from './RepoDetail';
import { RepoList } from './RepoList';
import { UpdatePanel } from './UpdatePanel';
import { UpdatesCard } from './UpdatesCard';
import { hasUpdate } from '../../../src-main/contract/present/updates';
import { useUpdates } from '../../api/updates';
import { Page } from '../../components/Page';

export function CachePage() {
  const scan = useCacheScan();
  const rescan = useRescan();
  const params = useParams<{ key?: string }>();
  const [, navigate] = useLocation();
  const [filter, setFilter] = useState('');
  const selected = params.key ? decodeURIComponent(params.key) : null;
  const { ask, dialog } = useDeleteFlow();
  const updates = useUpdates().data;
  const withUpdate = useMemo(() => new Set(updates?.repos.filter(hasUpdate).map((r) => r.repo)), [updates]);
  const updateStatus = updates?.repos.find((r) => r.repo === selected) ?? null;
  const repos = useMemo(() => {
    const all = [...(scan.data?.repos ?? [])].sort((a, b) => b.sizeOnDisk - a.sizeOnDisk);
    const f = filter.trim().toLowerCase();
    return f ? all.filter((r) => r.id.toLowerCase().includes(f)) : all;
  }, [scan.data, filter]);
  const current = scan.data?.repos.find((r) => r.key === selected) ?? null;
  const select = (key: string) => navigate(`/cache/${encodeURIComponent(key)}`);
  const busy = scan.isFetching || rescan.isPending;
  return (
    <Page>
      <PageHeader
        title="Cache"
        description="The Hugging Face cache, shared with Python tools: readable names instead of hashes."
        actions={
          <Button onClick={() => rescan.mutate()} disabled={busy}>
            <RefreshCw className={cn(busy && 'animate-spin')} />
            Rescan
          </Button>
        }
      />
      {scan.error ? <ErrorNotice error={scan.error} /> : null}
      {scan.data ? (
        <>
          <Card>
            <CardHeader
              icon={<HardDrive />}
              title={`${formatBytes(scan.data.sizeOnDisk)} in ${plural(scan.data.repos.length, 'repo')}`}
              description={
                scan.data.exists
                  ? `Disk usage by repo (colour) and revision (tile). Click a tile to open it.${
                      scan.data.store.state === 'v1'
                        ? ` Python's shared blob store holds ${formatBytes(scan.data.store.bytes)} in ${plural(scan.data.store.payloads, 'payload')}, each counted once (${formatBytes(scan.data.store.sharedBytes)} used by several repos).`
                        : ''
                    }`
                  : 'The cache folder does not exist yet; it is created on the first download.'
              }
            />
            <CardBody>
              <PathField label="Cache folder" path={scan.data.root} place="hubCache" />
              <Treemap repos={scan.data.repos} store={storeTiles(scan.data.store)} selected={selected} onSelect={select} />
            </CardBody>
          </Card>
          <Cleanup scan={scan.data} ask={ask} />
          <UpdatesCard />
          {scan.data.repos.length ? (
            <div className="grid grid-cols-1 gap-6 md:grid-cols-[20rem_minmax(0,1fr)]">
              <div className="space-y-2">
                <SearchInput value={filter} onChange={(e) => setFilter(e.target.value)} placeholder="Filter repos" aria-label="Filter repos" />
                <RepoList repos={repos} selected={selected} onSelect={select} withUpdate={withUpdate} />
              </div>
              <Card>
                <CardBody>
                  {current ? (
                    <div className="space-y-4">
                      {updateStatus ? <UpdatePanel status={updateStatus} /> : null}
                      <RepoDetail key={current.key} repo={current} ask={ask} />
                    </div>
                  ) : (
                    <p className="text-sm text-muted-foreground">Pick a repo to see its revisions and files.</p>
                  )}
                </CardBody>
              </Card>
            </div>
          ) : null}
        </>
      ) : null}
      {dialog}
    </Page>
  );
}
