import { FolderOpen } from 'lucide-react';
import type { LibraryItem } from '../../../src-main/contract/library';
import { useAppInfo, useOpenPlace } from '../../api/app';
import { Button } from '../../components/ui/button';
import { Tooltip } from '../../components/ui/tooltip';

/** Show the file in the file manager: desktop only (under serve the file is on the server). */
export function ShowInFolder({ item }: { item: LibraryItem }) {
  const info = useAppInfo();
  const can = info.data?.capabilities.openInFileManager ?? false;
  const show = useOpenPlace();
  return (
    <Tooltip
      content={show.error ? show.error.message : can ? 'Show in the file manager' : 'The file is on the server: the desktop app can show it, a browser cannot.'}
    >
      <span>
        <Button
          size="sm"
          variant="ghost"
          disabled={!can || item.missing}
          aria-label={`Show ${item.name} in the file manager`}
          onClick={() => show.mutate({ place: 'libraryItem', key: item.key })}
        >
          <FolderOpen />
          Show file
        </Button>
      </span>
    </Tooltip>
  );
}
