/** Answers in OpenAI's shape: statuses for the core's errors, and a zod issue as a sentence naming the field. */
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { ApiError } from '../../src-main/contract/errors';
import { apiErrorToHttp, zodMessage } from '../../src-main/localapi/answers';

describe('local API answers', () => {
  it("maps the core's errors onto OpenAI's statuses and types", () => {
    expect(apiErrorToHttp(new ApiError('CONTEXT_OVERFLOW', 'x'))).toEqual({ status: 400, type: 'invalid_request_error', code: 'context_length_exceeded' });
    expect(apiErrorToHttp(new ApiError('NO_MODEL', 'x'))).toEqual({ status: 404, type: 'not_found_error', code: 'model_not_found' });
    expect(apiErrorToHttp(new ApiError('BUSY', 'x'))).toMatchObject({ status: 429, type: 'rate_limit_error' });
    expect(apiErrorToHttp(new ApiError('NOT_AVAILABLE', 'x'))).toMatchObject({ status: 503 });
    expect(apiErrorToHttp(new ApiError('DISK_FULL', 'x'))).toEqual({ status: 500, type: 'server_error', code: 'internal_error' });
  });

  it('names the field of the first issue as OpenAI does (messages[0].content)', () => {
    const schema = z.object({ messages: z.array(z.object({ content: z.string() })) });
    const failed = schema.safeParse({ messages: [{ content: 3 }] });
    expect(failed.success).toBe(false);
    if (!failed.success)
      expect(zodMessage(failed.error)).toMatchObject({ param: 'messages[0].content', message: expect.stringMatching(/^messages\[0\]\.content: /) });
    expect(zodMessage({ issues: [] })).toEqual({ message: 'Invalid request.', param: null });
  });
});
