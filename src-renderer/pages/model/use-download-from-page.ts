import type { ModelDetails } from '../../../src-main/contract/model';
import { useStartDownload } from '../../api/downloads';

/**
 * Downloads a selection of the revision the page shows (its commit, so refs/<revision> is
 * written). The page stays: each row shows its own progress, then "Downloaded".
 */
export function useDownloadFromPage(model: ModelDetails) {
  const start = useStartDownload();
  const download = (files: string[] | null) => start.mutate({ repo: model.id, revision: model.revision, commit: model.sha, ...(files ? { files } : {}) });
  return { download, error: start.error, isPending: start.isPending };
}
