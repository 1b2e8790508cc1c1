/** User-facing error text never carries a raw code; the code stays in the details line. */
import { describe, expect, it } from 'vitest';
import { ApiError } from '../../../src-main/contract/errors';
import { plainError } from '../../../src-renderer/lib/plain-error';

const RAW = /ECONNREFUSED|ENOTFOUND|NETWORK|UNAUTHORIZED|AccessDenied|UND_ERR/;

describe('plainError', () => {
  it('drops the system error name from a network failure and says what to do', () => {
    const p = plainError(new ApiError('NETWORK', 'Could not reach 127.0.0.1:9 (ECONNREFUSED).'));
    expect(p.text).toBe('Could not reach 127.0.0.1:9. Check the connection, or try again in a moment.');
    expect(p.detail).toBe('NETWORK: Could not reach 127.0.0.1:9 (ECONNREFUSED).');
  });

  it.each([
    new ApiError('UNAUTHORIZED', 'The Hub rejected the token (invalid, expired or revoked): sign in again.'),
    new ApiError('FORBIDDEN', 'The storage host refused the upload: AccessDenied: Access Denied'),
    new ApiError('NETWORK', 'The connection broke (UND_ERR_SOCKET).'),
    new ApiError('NETWORK', 'Could not reach hub.example (ENOTFOUND).'),
    new Error('getaddrinfo ENOTFOUND hub.example'),
  ])('keeps raw codes out of the text: %s', (error) => {
    const p = plainError(error);
    expect(p.text).not.toMatch(RAW);
    expect(p.text.length).toBeGreaterThan(5);
    // The code stays one click away; so does the original wording when the sentence was changed.
    expect(p.detail).toContain(error instanceof ApiError ? error.code : 'ENOTFOUND');
    if (p.text !== error.message) expect(p.detail).toContain(error.message);
  });

  it('leaves a plain sentence as it is: the details line holds only its code, or nothing', () => {
    expect(plainError(new Error('The file is too big.'))).toEqual({ text: 'The file is too big.', detail: null });
    expect(plainError(new ApiError('WONT_FIT', 'The model needs 9 GB of RAM; 4 GB are free.'))).toEqual({
      text: 'The model needs 9 GB of RAM; 4 GB are free.',
      detail: 'WONT_FIT',
    });
  });
});
