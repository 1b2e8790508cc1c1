/** Who may ask: the key of the moment, browser origins, and the bound on requests in flight per address. */
import type http from 'node:http';
import { describe, expect, it } from 'vitest';
import { checkKey, ClientLimiter, corsHeaders } from '../../src-main/localapi/guards';

const withHeaders = (headers: http.IncomingHttpHeaders) => ({ headers }) as http.IncomingMessage;

describe('local API guards', () => {
  it('checks the bearer key against the one given now', () => {
    let current = 'hc-first-key-000000';
    const req = withHeaders({ authorization: 'Bearer hc-first-key-000000' });
    expect(checkKey(req, current)).toBe('ok');
    expect(checkKey(withHeaders({ authorization: 'bearer   hc-first-key-000000  ' }), current)).toBe('ok');
    current = 'hc-second-key-00000';
    expect(checkKey(req, current)).toBe('wrong');
    expect(checkKey(withHeaders({}), current)).toBe('missing');
    expect(checkKey(withHeaders({ authorization: 'Basic abc' }), current)).toBe('missing');
    expect(checkKey(withHeaders({ authorization: 'Bearer ' }), current)).toBe('missing');
  });

  it('allows only the listed browser origins (or any with *), and any request without one', () => {
    expect(corsHeaders(withHeaders({}), [])).toEqual({});
    expect(corsHeaders(withHeaders({ origin: 'https://evil.example' }), [])).toBeNull();
    expect(corsHeaders(withHeaders({ origin: 'http://localhost:3000' }), ['http://localhost:3000'])).toEqual({
      'access-control-allow-origin': 'http://localhost:3000',
      vary: 'Origin',
    });
    expect(corsHeaders(withHeaders({ origin: 'https://any.example' }), ['*'])).toMatchObject({ 'access-control-allow-origin': 'https://any.example' });
  });

  it('counts requests in flight per address, says no past the bound, and takes each release once', () => {
    const limiter = new ClientLimiter(2);
    const a1 = limiter.enter('10.0.0.1');
    const a2 = limiter.enter('10.0.0.1');
    expect(a1 && a2).toBeTruthy();
    expect(limiter.enter('10.0.0.1')).toBeNull();
    expect(limiter.enter('10.0.0.2')).not.toBeNull();
    a1?.();
    a1?.();
    expect(limiter.inFlight('10.0.0.1')).toBe(1);
    expect(limiter.enter('10.0.0.1')).not.toBeNull();
    expect(limiter.enter('10.0.0.1')).toBeNull();
  });
});
