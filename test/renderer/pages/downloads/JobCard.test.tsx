// @vitest-environment happy-dom
/** A job card names an old copy nothing was reused from (#26.6), and says nothing when there is none. */
import { describe, expect, it } from 'vitest';
import { render, screen } from '@testing-library/react';
import { JobCard } from '../../../../src-renderer/pages/downloads/JobCard';
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
    expect(screen.getByTestId('job-saved').textContent).toMatch(/from this machine/);
  });
});
