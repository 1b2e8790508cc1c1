import { useCallback, useState } from 'react';
import { suggestName, type PublishForm } from './publish-form';

/** The form as the user has touched it: the owner and the name stay null until picked. */
export type Draft = Omit<PublishForm, 'namespace' | 'name'> & { namespace: string | null; name: string | null };

export interface PublishDraft {
  /** The form with its defaults filled in. */
  form: PublishForm;
  update: (patch: Partial<Draft>) => void;
  /** Adds paths not already there (files or folders dropped on the window). */
  addPaths: (paths: string[]) => void;
  message: string;
  setMessage: (message: string) => void;
  description: string;
  setDescription: (description: string) => void;
}

/**
 * The Publish page's form state. The owner and the name have defaults until the user picks them:
 * the first namespace the token can write, a name from what is published (derived, not copied into
 * state by an effect). Any change to what is published calls `onChange` (the last plan is stale).
 */
export function usePublishDraft({
  itemKey,
  itemName,
  firstNamespace,
  onChange,
}: {
  itemKey: string | null;
  itemName: string | null;
  firstNamespace: string;
  onChange: () => void;
}): PublishDraft {
  const [draft, setDraft] = useState<Draft>({
    item: itemKey,
    paths: [],
    namespace: null,
    name: null,
    repoType: 'model',
    isPrivate: true,
    license: '',
    revision: 'main',
    createPr: false,
    pathInRepo: '',
    include: '',
    exclude: '',
  });
  const [message, setMessage] = useState('Upload with Hubcap');
  const [description, setDescription] = useState('');
  const form: PublishForm = {
    ...draft,
    namespace: draft.namespace ?? firstNamespace,
    name: draft.name ?? suggestName(itemName ?? draft.paths[0] ?? ''),
  };
  const update = (patch: Partial<Draft>) => {
    setDraft((d) => ({ ...d, ...patch }));
    onChange();
  };
  // Stable while onChange is: a drop target keeps it across renders.
  const addPaths = useCallback(
    (paths: string[]) => {
      setDraft((d) => ({ ...d, paths: [...d.paths, ...paths.filter((p) => !d.paths.includes(p))] }));
      onChange();
    },
    [onChange],
  );
  return { form, update, addPaths, message, setMessage, description, setDescription };
}
