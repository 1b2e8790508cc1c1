import { describe, expect, it } from 'vitest';
import {
  assetCookie,
  assetCookieValue,
  cookieName,
  hasOwnOrigin,
  isAllowedHost,
  isSameOrigin,
  isSession,
  mintSession,
  newSecret,
  parseHostHeader,
  parseTarget,
  readCookie,
  secretsEqual,
  sessionFromProtocols,
} from '../../src-main/serve/access';

describe('serve access rules', () => {
  it('makes long random secrets and compares them exactly', () => {
    const a = newSecret();
    expect(a).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(newSecret()).not.toBe(a);
    expect(secretsEqual(a, a)).toBe(true);
    expect(secretsEqual(a.slice(0, -1), a)).toBe(false);
    expect(secretsEqual('', a)).toBe(false);
    expect(secretsEqual(null, a)).toBe(false);
  });

  it('sets an HttpOnly, SameSite=Strict cookie named per port', () => {
    expect(assetCookie(8080, 's')).toBe('hubcap_8080=s; Path=/; HttpOnly; SameSite=Strict');
    expect(readCookie('a=1; hubcap_8080=s; b=2', cookieName(8080))).toBe('s');
    expect(readCookie('hubcap_8081=s', cookieName(8080))).toBeNull();
  });

  it('accepts loopback Host headers on our port only', () => {
    expect(isAllowedHost('127.0.0.1:8080', '127.0.0.1', 8080)).toBe(true);
    expect(isAllowedHost('localhost:8080', '127.0.0.1', 8080)).toBe(true);
    expect(isAllowedHost('[::1]:8080', '127.0.0.1', 8080)).toBe(true);
    expect(isAllowedHost('127.0.0.1:8081', '127.0.0.1', 8080)).toBe(false);
    expect(isAllowedHost('127.0.0.1', '127.0.0.1', 8080)).toBe(false);
    expect(isAllowedHost(undefined, '127.0.0.1', 8080)).toBe(false);
  });

  it('refuses DNS-rebinding names', () => {
    expect(isAllowedHost('attacker.example:8080', '127.0.0.1', 8080)).toBe(false);
    expect(isAllowedHost('127.0.0.1.nip.io:8080', '127.0.0.1', 8080)).toBe(false);
    // Bound to all interfaces: IP literals only (rebinding needs a name).
    expect(isAllowedHost('10.1.2.3:8080', '0.0.0.0', 8080)).toBe(true);
    expect(isAllowedHost('gpu-box.lan:8080', '0.0.0.0', 8080)).toBe(false);
    expect(isAllowedHost('gpu-box.lan:8080', 'gpu-box.lan', 8080)).toBe(true);
  });

  it('parses Host headers', () => {
    expect(parseHostHeader('[::1]:80')).toEqual({ name: '[::1]', port: 80 });
    expect(parseHostHeader('Example.COM')).toEqual({ name: 'example.com', port: null });
    expect(parseHostHeader('a:b:c')).toBeNull();
  });

  it('accepts only our own Origin (or none, from non-browser clients)', () => {
    expect(isSameOrigin(undefined, '127.0.0.1:1')).toBe(true);
    expect(isSameOrigin('http://127.0.0.1:1', '127.0.0.1:1')).toBe(true);
    expect(isSameOrigin('http://evil.example', '127.0.0.1:1')).toBe(false);
    expect(isSameOrigin('null', '127.0.0.1:1')).toBe(false);
  });

  it('requires an Origin, and ours, for requests that act', () => {
    expect(hasOwnOrigin(undefined, '127.0.0.1:1')).toBe(false);
    expect(hasOwnOrigin('http://127.0.0.1:1', '127.0.0.1:1')).toBe(true);
    expect(hasOwnOrigin('http://127.0.0.1:2', '127.0.0.1:1')).toBe(false);
  });

  it('mints sessions only the key can check, and a cookie value that is not the key', () => {
    const key = newSecret();
    const a = mintSession(key);
    const b = mintSession(key);
    expect(a).not.toBe(b);
    expect(isSession(a, key) && isSession(b, key)).toBe(true);
    expect(isSession(a, newSecret())).toBe(false);
    expect(isSession(`${a.slice(0, -1)}x`, key)).toBe(false);
    expect(isSession(null, key)).toBe(false);
    expect(assetCookieValue(key)).not.toBe(key);
    expect(isSession(assetCookieValue(key), key)).toBe(false);
    expect(sessionFromProtocols(`hubcap.v1, hubcap.session.${b}`)).toBe(b);
    expect(sessionFromProtocols('hubcap.v1')).toBeNull();
  });

  it('parses request targets without ever throwing', () => {
    expect(parseTarget('/a?b=1')?.pathname).toBe('/a');
    for (const bad of ['//[', '//x/y', 'http://evil/', '*', '', undefined, `/${'a'.repeat(9000)}`, 'a b']) expect(parseTarget(bad)).toBeNull();
    expect(parseTarget('/%zz')?.pathname).toBe('/%zz');
  });
});
