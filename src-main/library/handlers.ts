/** The Library slice of the contract. */
import { ApiError } from '../contract/errors';
import type { HandlerSlice, RequestsOf } from '../contract/handlers';
import type { Library } from './library';

export interface LibraryHandlerDeps {
  /** The native "open files" dialog; absent under `hubcap serve`. */
  pickFiles?: () => Promise<string[]>;
}

export function libraryHandlers(library: Library, deps: LibraryHandlerDeps = {}): HandlerSlice<RequestsOf<'library'>> {
  return {
    'library.list': () => library.items(),
    'library.add': ({ paths }) => library.add(paths),
    'library.pickFiles': async () => {
      if (!deps.pickFiles) throw new ApiError('NOT_AVAILABLE', 'The file dialog is a desktop feature; drop files or use the upload button instead.');
      const paths = await deps.pickFiles();
      return paths.length ? library.add(paths) : { added: [], skipped: [] };
    },
    'library.relocate': ({ key, mode }) => library.relocate(key, mode),
    'library.remove': async ({ key, deleteFiles }) => {
      await library.remove(key, deleteFiles);
      return { removed: true };
    },
  };
}
