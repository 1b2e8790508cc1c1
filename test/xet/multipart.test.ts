/** multipart/byteranges parsed as it streams, split at any byte; malformed answers are typed errors. */
import { describe, expect, it } from 'vitest';
import { boundaryOf, MultipartByteranges, multipartBody } from '../../src-main/xet/multipart';
import { XetDataError } from '../../src-main/xet/errors';

const parts = [
  { start: 10, end: 19, data: Buffer.from('0123456789') },
  { start: 100, end: 104, data: Buffer.from('abcde') },
];
const body = Buffer.concat([
  Buffer.from('preamble\r\n'),
  ...parts.flatMap((p) => [
    Buffer.from(`--B0UND\r\nContent-Type: application/octet-stream\r\nContent-Range: bytes ${p.start}-${p.end}/500\r\n\r\n`),
    p.data,
    Buffer.from('\r\n'),
  ]),
  Buffer.from('--B0UND--\r\n'),
]);

function parse(buf: Buffer, step: number, type = 'multipart/byteranges; boundary=B0UND') {
  const m = new MultipartByteranges(type);
  const got = new Map<number, Buffer[]>();
  for (let i = 0; i < buf.length; i += step)
    for (const p of m.push(buf.subarray(i, i + step))) got.set(p.range.start, [...(got.get(p.range.start) ?? []), p.data]);
  m.end();
  return [...got.entries()].map(([start, bufs]) => ({ start, data: Buffer.concat(bufs).toString() }));
}

const kind = (f: () => unknown) => {
  try {
    f();
  } catch (e) {
    return e instanceof XetDataError ? e.problem : 'untyped';
  }
  return 'none';
};

describe('MultipartByteranges', () => {
  it('hands out each part with its range, however the body is split', () => {
    for (const step of [1, 3, 17, body.length])
      expect(parse(body, step)).toEqual([
        { start: 10, data: '0123456789' },
        { start: 100, data: 'abcde' },
      ]);
  });

  it('reads quoted boundaries and refuses answers without one', () => {
    expect(boundaryOf('multipart/byteranges; boundary="a b"')).toBe('a b');
    expect(kind(() => boundaryOf('application/octet-stream'))).toBe('multipart');
  });

  it('refuses a part without Content-Range, an unterminated answer, and endless junk between parts', () => {
    const noRange = Buffer.from('--B0UND\r\nContent-Type: x\r\n\r\nabc\r\n--B0UND--\r\n');
    expect(kind(() => parse(noRange, 5))).toBe('multipart');
    expect(kind(() => parse(body.subarray(0, body.length - 12), 5))).toBe('multipart');
    expect(kind(() => parse(Buffer.alloc(20_000, 0x41), 1000))).toBe('multipart');
  });
});

describe('multipartBody', () => {
  it('destroys an answer that is not multipart (its connection and slot go back), and keeps one that is', () => {
    let destroyed = 0;
    const res = { destroy: () => void destroyed++ };
    expect(() => multipartBody({ contentType: 'application/octet-stream', res })).toThrow(XetDataError);
    expect(destroyed).toBe(1);
    expect(multipartBody({ contentType: 'multipart/byteranges; boundary=abc', res })).toBeInstanceOf(MultipartByteranges);
    expect(destroyed).toBe(1);
  });
});
