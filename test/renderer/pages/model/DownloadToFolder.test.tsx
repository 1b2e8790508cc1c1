// @vitest-environment happy-dom
/** "Download to a folder…": its live progress, and Stop while it runs (localDir.cancel), which ends it with the reason said. */
import { describe, expect, it } from 'vitest';
import { fireEvent, render, screen, waitFor } from '@testing-library/react';
import { ApiError } from '../../../../src-main/contract/errors';
import type { ModelDetails } from '../../../../src-main/contract/model';
import { DownloadToFolderButton } from '../../../../src-renderer/pages/model/DownloadToFolder';
import { standIn } from '../../harness';

describe('Download to a folder…', () => {
  it('shows the file being fetched and stops it on Stop', async () => {
    let stopIt: () => void = () => {};
    const core = standIn({
      'localDir.download': () =>
        new Promise((_resolve, reject) => {
          stopIt = () => reject(new ApiError('CANCELLED', 'The download was stopped.'));
        }),
      'localDir.cancel': () => {
        stopIt();
        return { cancelled: 1 };
      },
    });
    const model = { id: 'acme/tiny', sha: 'a'.repeat(40), revision: 'main' } as ModelDetails;
    const { wrapper: Wrapper } = core;
    render(
      <Wrapper>
        <DownloadToFolderButton model={model} />
      </Wrapper>,
    );
    fireEvent.click(screen.getByRole('button', { name: /To a folder/ }));
    fireEvent.change(await screen.findByLabelText('Folder'), { target: { value: '/data/tiny' } });
    fireEvent.click(screen.getByRole('button', { name: /Download/ }));
    await screen.findByRole('button', { name: 'Stop' });
    core.emit('localDir.progress', { dir: '/data/tiny', file: 'tiny.gguf', filesDone: 0, files: 2, bytes: 1000, size: 4000 });
    expect((await screen.findByTestId('local-dir-progress')).textContent).toMatch(/tiny\.gguf \(1 of 2\)/);
    fireEvent.click(screen.getByRole('button', { name: 'Stop' }));
    await waitFor(() => expect(core.calls.map((c) => c.name)).toContain('localDir.cancel'));
    expect(core.calls.find((c) => c.name === 'localDir.cancel')?.input).toEqual({ dir: '/data/tiny' });
    await screen.findByText(/The download was stopped/);
    expect(screen.getByRole('button', { name: 'Cancel' })).toBeTruthy();
  });
});
