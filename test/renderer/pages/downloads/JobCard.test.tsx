// @vitest-environment happy-dom
/**
 * A job card names an old copy nothing was reused from (#26.6), and says nothing when there is none;
 * its Files list says how each file came (#25.5).
 */
import { describe, expect, it } from 'vitest';
import { fireEvent, render, screen } from '@testing-library/react';
import { JobCard } from '../../../../src-renderer/pages/downloads/JobCard';
import { fileHow } from '../../../../src-renderer/pages/downloads/JobFiles';
import { standIn } from '../../harness';
import { job } from '../../fixtures';

const file = { path: 'model.gguf', size: 4096, etag: 'a'.repeat(64), lfs: true, done: 4096, state: 'done' as const, via: 'xet' as const };

function show(j: ReturnType<typeof job>) {
  const { wrapper: Wrapper } = standIn({});
  render(
    <Wrapper>
      <ul>
        <JobCard job={j} />
      </ul>
    </Wrapper>,
  );
}

describe('JobCard', () => {
  it('names each old copy that no longer matches its sha256', () => {
    const old = '/cache/models--acme--tiny/blobs/' + 'b'.repeat(64);
    show(
      job({
        state: 'done',
        files: [
          { ...file, staleSources: [old] },
          { ...file, path: 'other.gguf', reusedBytes: 2048 },
        ],
      }),
    );
    const stale = screen.getByTestId('job-stale');
    expect(stale.textContent).toContain('The old copy of model.gguf on this machine no longer matches its sha256, so nothing was reused from it');
    expect(stale.textContent).toContain(old);
    expect(stale.textContent).not.toContain('other.gguf');
  });

  it('says nothing of old copies when every one was good', () => {
    show(job({ state: 'done', files: [{ ...file, reusedBytes: 2048 }] }));
    expect(screen.queryByTestId('job-stale')).toBeNull();
    expect(screen.getByTestId('job-saved').textContent).toBe('2.05 kB saved');
  });

  it('opens and closes its Files list, and has none to open before the plan', () => {
    show(job({ state: 'done', files: [file] }));
    const toggle = screen.getByRole('button', { name: 'Files' });
    expect(toggle.getAttribute('aria-expanded')).toBe('false');
    expect(screen.queryByTestId('job-files')).toBeNull();
    fireEvent.click(toggle);
    expect(screen.getByRole('button', { name: 'Hide files' }).getAttribute('aria-expanded')).toBe('true');
    expect(screen.getByTestId('job-files')).toBeTruthy();
    fireEvent.click(screen.getByRole('button', { name: 'Hide files' }));
    expect(screen.queryByTestId('job-files')).toBeNull();
  });

  it('counts the parts a file repeats as saved (its row says so: download-files.e2e)', () => {
    show(job({ state: 'done', files: [{ ...file, size: 8 << 20, done: 8 << 20, repeatedBytes: 3 << 20 }] }));
    expect(screen.getByTestId('job-saved').textContent).toBe('3.15 MB saved');
  });

  it('has no Files button while the job has no files yet', () => {
    show(job({ state: 'resolving', files: [] }));
    expect(screen.queryByRole('button', { name: 'Files' })).toBeNull();
  });
});

describe('fileHow', () => {
  it('names the road of a finished file, and where an unfinished one stands', () => {
    const done = { ...file, state: 'done' as const };
    expect(fileHow(done)).toMatchObject({ text: 'Xet', badge: true, tone: 'primary' });
    expect(fileHow({ ...done, via: 'http' })).toMatchObject({ text: 'HTTP', badge: true });
    expect(fileHow({ ...done, via: 'local' })).toMatchObject({ text: 'another repo', tone: 'success' });
    expect(fileHow({ ...done, via: 'store' })).toMatchObject({ text: 'shared store', tone: 'success' });
    expect(fileHow({ ...done, via: 'present' })).toMatchObject({ text: 'already here', tone: 'success' });
    const { via: _, ...unfinished } = file;
    expect(fileHow({ ...unfinished, state: 'downloading', done: 1024 })).toMatchObject({ text: '25%', badge: false });
    expect(fileHow({ ...unfinished, state: 'pending', done: 0 })).toMatchObject({ text: 'queued' });
    expect(fileHow({ ...unfinished, state: 'waiting', done: 0 }).text).toBe('another program is downloading it');
    expect(fileHow({ ...unfinished, state: 'error', done: 0 })).toMatchObject({ text: 'failed', tone: 'danger' });
    expect(fileHow({ ...unfinished, state: 'pending', done: 0, checking: { done: 1, total: 4 } }).text).toBe('checking 25%');
  });
});
