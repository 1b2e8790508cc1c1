// @vitest-environment happy-dom
/** The download form reads a repo and a selection the way the CLI does, and sends exactly that. */
import { describe, expect, it } from 'vitest';
import { fireEvent, render, screen, waitFor } from '@testing-library/react';
import { NewDownload } from '../../../../src-renderer/pages/downloads/NewDownload';
import { standIn } from '../../harness';
import { job } from '../../fixtures';

function fill(label: string, value: string) {
  fireEvent.change(screen.getByLabelText(label), { target: { value } });
}

describe('NewDownload', () => {
  it('splits files from patterns and reads dataset/org/name as a dataset', async () => {
    const core = standIn({ 'downloads.start': () => job() });
    const { wrapper: Wrapper } = core;
    render(
      <Wrapper>
        <NewDownload />
      </Wrapper>,
    );
    fill('Repo id', ' dataset/acme/corpus ');
    fill('Revision', 'v1');
    fill('Files or patterns', 'README.md, *.parquet  data/[ab]*.json');
    fireEvent.submit(screen.getByRole('button', { name: 'Download' }).closest('form') as HTMLFormElement);
    await waitFor(() => expect(core.calls).toHaveLength(1));
    expect(core.calls[0]).toEqual({
      name: 'downloads.start',
      input: { repo: 'acme/corpus', repoType: 'dataset', revision: 'v1', files: ['README.md'], patterns: ['*.parquet', 'data/[ab]*.json'] },
    });
    // The selection is cleared for the next one; the repo stays.
    await waitFor(() => expect((screen.getByLabelText('Files or patterns') as HTMLInputElement).value).toBe(''));
    expect((screen.getByLabelText('Repo id') as HTMLInputElement).value).toBe(' dataset/acme/corpus ');
  });

  it('shows the core’s reason when the repo id is not one', async () => {
    const core = standIn({});
    const { wrapper: Wrapper } = core;
    render(
      <Wrapper>
        <NewDownload />
      </Wrapper>,
    );
    fill('Repo id', 'not a repo!');
    fireEvent.submit(screen.getByRole('button', { name: 'Download' }).closest('form') as HTMLFormElement);
    await waitFor(() => expect(core.calls).toHaveLength(1));
    expect(core.calls[0]?.input).toMatchObject({ repo: 'not a repo!', repoType: 'model' });
    await screen.findByText(/no stand-in answer/);
  });
});
