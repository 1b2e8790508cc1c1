/** Link headers as the Hub sends them: pagination's rel="next" and a Xet file's rel="xet-auth". */
import { describe, expect, it } from 'vitest';
import { linkRel } from '../../src-main/hub/link-header';

describe('linkRel', () => {
  it('finds a relation among several, quoted or not, with other parameters', () => {
    const xet = '<https://hf.co/api/models/o/m/xet-read-token/abc>; rel="xet-auth", <https://cas.example/v1/reconstructions/e>; rel="xet-reconstruction-info"';
    expect(linkRel(xet, 'xet-auth')).toBe('https://hf.co/api/models/o/m/xet-read-token/abc');
    expect(linkRel(xet, 'xet-reconstruction-info')).toBe('https://cas.example/v1/reconstructions/e');
    expect(linkRel('<https://hf.co/a?p=3>; type="json"; rel=next', 'next')).toBe('https://hf.co/a?p=3');
  });

  it('does not take a relation that only begins like the one asked for, and says null without one', () => {
    expect(linkRel('<https://x/1>; rel="xet-auth-v2"', 'xet-auth')).toBeNull();
    expect(linkRel('<https://x/1>; rel="prev"', 'next')).toBeNull();
    expect(linkRel(null, 'next')).toBeNull();
    expect(linkRel('not a link', 'next')).toBeNull();
    expect(linkRel(`<https://x/1>; rel="next"${' '.repeat(20_000)}`, 'next')).toBeNull();
  });
});
