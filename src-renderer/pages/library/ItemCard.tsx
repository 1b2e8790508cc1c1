import { useState } from 'react';
import { Link, useLocation } from 'wouter';
import { FileUp, FolderSearch, HardDrive, MessageSquare, Share2, TriangleAlert, Upload, Zap } from 'lucide-react';
import { APP_NAMES } from '../../../src-main/contract/apps';
import { parseItemKey, repoKey } from '../../../src-main/contract/keys';
import type { LibraryItem } from '../../../src-main/contract/library';
import { formatAgo, formatBytes, formatCount } from '../../../src-main/contract/present/format';
import { chatIntent } from '../../api/chat';
import { useInferenceStatus } from '../../api/inference';
import { Badge } from '../../components/ui/badge';
import { Button } from '../../components/ui/button';
import { Tooltip } from '../../components/ui/tooltip';
import { Relocate } from './Relocate';
import { RemoveLocal } from './RemoveLocal';
import { ShowInFolder } from './ShowInFolder';
import { UseInAppDialog, type UseInAppTarget } from '../cache/UseInApp';
import { ItemRevision, ItemUpdate } from './ItemUpdate';

/** "Use in another app" for a cached model: its file placed where that app looks (the dialog is the Cache page's). */
function UseInApp({ item }: { item: LibraryItem }) {
  const [target, setTarget] = useState<UseInAppTarget | null>(null);
  const parsed = parseItemKey(item.key);
  if (parsed?.source !== 'cache') return null;
  return (
    <>
      <Button
        size="sm"
        variant="ghost"
        aria-label={`Use ${item.name} in another app`}
        onClick={() => setTarget({ repo: repoKey(parsed.repo), commit: parsed.commit, name: item.name, files: [parsed.path] })}
      >
        <Share2 />
        Use in app
      </Button>
      <UseInAppDialog target={target} onClose={() => setTarget(null)} />
    </>
  );
}

/** The cache page of the repo a cached item comes from. */
function cacheHref(key: string): string {
  const parsed = parseItemKey(key);
  return parsed?.source === 'cache' ? `/cache/${encodeURIComponent(repoKey(parsed.repo))}` : '/cache';
}

function params(n: number | null | undefined): string | null {
  return n ? `${formatCount(n)} params` : null;
}

/** Where it is, in words: never an internal path (the folder Hubcap made for an upload is a UUID). */
function where(item: LibraryItem): string {
  if (item.source === 'cache') return `${item.repo} @ ${item.revision}`;
  if (item.inHubcapFolder) return "In Hubcap's models folder";
  return item.path;
}

/** One runnable model: what it is, where it is, whether it is loaded, and what can be done with it (each action named). */
export function ItemCard({ item }: { item: LibraryItem }) {
  const [, navigate] = useLocation();
  const loaded = useInferenceStatus().data?.model?.key === item.key;
  const s = item.summary;
  const facts = [s?.architecture, params(s?.parameters), s?.quantization, s?.contextLength ? `${s.contextLength.toLocaleString()} ctx` : null].filter(Boolean);
  return (
    <li className="flex flex-col gap-3 rounded-xl border border-border bg-card p-4" data-testid="library-item" data-source={item.source}>
      <div className="flex items-start gap-2">
        <div className="min-w-0 flex-1">
          <h3 className="truncate font-medium" title={item.name}>
            {item.name}
          </h3>
          <p className="truncate text-xs text-muted-foreground" title={item.inHubcapFolder ? undefined : item.path} data-testid="item-where">
            {where(item)}
          </p>
          <ItemRevision item={item} />
        </div>
        <ItemUpdate item={item} />
        {loaded ? (
          <Badge tone="success" data-testid="item-loaded">
            <Zap /> Loaded
          </Badge>
        ) : null}
        <Badge tone={item.kind === 'gguf' ? 'primary' : 'neutral'}>{item.kind === 'gguf' ? 'GGUF' : 'safetensors'}</Badge>
      </div>
      <div className="flex flex-wrap gap-1.5 text-xs">
        {facts.map((f) => (
          <Badge key={String(f)}>{f}</Badge>
        ))}
        {item.parts > 1 ? <Badge>{item.parts} parts</Badge> : null}
        {item.missing ? (
          <Badge tone="danger">
            <TriangleAlert /> File missing
          </Badge>
        ) : null}
        {item.problem ? (
          <Tooltip content={item.problem}>
            <span>
              <Badge tone="danger" data-testid="item-problem">
                <TriangleAlert /> Not a valid {item.kind === 'gguf' ? 'GGUF' : 'safetensors file'}
              </Badge>
            </span>
          </Tooltip>
        ) : null}
      </div>
      <div className="flex items-center gap-1 text-xs text-muted-foreground">
        {item.source === 'cache' ? <HardDrive className="size-3.5" /> : <FileUp className="size-3.5" />}
        <span className="flex-1" data-testid="item-facts">
          {formatBytes(item.size)} · {item.source === 'cache' ? 'Hugging Face cache' : item.foundIn ? `in ${APP_NAMES[item.foundIn]}'s folder` : 'added by you'}{' '}
          · {loaded ? 'loaded now' : item.lastUsed ? `used ${formatAgo(item.lastUsed)}` : 'never used'}
        </span>
      </div>
      <div className="mt-auto flex flex-wrap items-center gap-1 border-t border-border pt-2 text-xs text-muted-foreground">
        {item.kind === 'gguf' && !item.problem ? (
          <Tooltip content={item.missing ? 'The file is missing.' : 'Load it and chat'}>
            <span>
              <Button
                size="sm"
                variant="ghost"
                disabled={item.missing}
                aria-label={`Chat with ${item.name}`}
                onClick={() => {
                  chatIntent.request(item.key);
                  navigate('/chat');
                }}
              >
                <MessageSquare />
                Chat
              </Button>
            </span>
          </Tooltip>
        ) : null}
        {!item.missing ? (
          <Tooltip content="Publish it to your Hub repo">
            <Button size="sm" variant="ghost" asChild aria-label={`Publish ${item.name}`}>
              <Link href={`/publish?item=${encodeURIComponent(item.key)}`}>
                <Upload />
                Publish
              </Link>
            </Button>
          </Tooltip>
        ) : null}
        {item.source === 'cache' && !item.missing ? <UseInApp item={item} /> : null}
        {item.source === 'cache' ? (
          <Button size="sm" variant="ghost" asChild aria-label={`Show ${item.name} in the cache`}>
            <Link href={cacheHref(item.key)}>
              <FolderSearch />
              In the cache
            </Link>
          </Button>
        ) : (
          <>
            <Relocate item={item} />
            <RemoveLocal item={item} />
          </>
        )}
        <ShowInFolder item={item} />
      </div>
    </li>
  );
}
