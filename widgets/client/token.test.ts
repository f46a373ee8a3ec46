import { describe, expect, it } from 'vitest';
import { TokenSource, tokenExpiry, tokenFromBody } from './token.ts';
import { backoffDelay } from './backoff.ts';
import { cursorAfter } from './protocol.ts';
import { toWsUrl } from './page.ts';

const jwt = (payload: object) => `eyJhbGciOiJIUzI1NiJ9.${Buffer.from(JSON.stringify(payload)).toString('base64url')}.c2ln`;

describe('tokens', () => {
  it('reads a token endpoint answer as text or JSON', () => {
    const t = jwt({ exp: 1 });
    expect(tokenFromBody(t)).toBe(t);
    expect(tokenFromBody(`${t}\n`)).toBe(t);
    expect(tokenFromBody(JSON.stringify({ token: t }))).toBe(t);
    expect(tokenFromBody(JSON.stringify(t))).toBe(t);
    expect(() => tokenFromBody('<html>login</html>')).toThrow(/not a JWT/);
    expect(() => tokenFromBody('{"jwt":"x"}')).toThrow(/token/);
  });

  it('reads exp, including base64url payloads with - and _', () => {
    expect(tokenExpiry(jwt({ exp: 1700000000, name: '~~~???>>>' }))).toBe(1700000000 * 1000);
    expect(tokenExpiry(jwt({}))).toBeUndefined();
    expect(tokenExpiry('garbage')).toBeUndefined();
  });

  it('refreshes a minute before expiry, sooner for short tokens, and caches until then', async () => {
    let now = 0;
    let calls = 0;
    const source = new TokenSource(() => (calls++, jwt({ exp: (now + 600_000) / 1000 })), () => now);
    await source.current();
    expect(source.refreshIn()).toBe(540_000);
    await source.current();
    expect(calls).toBe(1);
    now = 580_000; // 20 s left: stale
    await source.current();
    expect(calls).toBe(2);
    const short = new TokenSource(() => jwt({ exp: (now + 60_000) / 1000 }), () => now);
    await short.current();
    expect(short.refreshIn()).toBe(45_000);
  });
});

describe('cursors, backoff, URLs', () => {
  it('compares cursors as numbers of any length', () => {
    expect(cursorAfter('10', '9')).toBe(true);
    expect(cursorAfter('9', '10')).toBe(false);
    expect(cursorAfter('12345678901234567890', '12345678901234567889')).toBe(true);
    expect(cursorAfter('5', '5')).toBe(false);
    expect(cursorAfter('1', undefined)).toBe(true);
  });

  it('waits a random time up to min(30 s, 0.5 s × 2^attempt)', () => {
    expect(backoffDelay(0, () => 0.999)).toBe(499);
    expect(backoffDelay(3, () => 0.5)).toBe(2000);
    expect(backoffDelay(20, () => 0.999)).toBe(29_970);
    expect(backoffDelay(5, () => 0)).toBe(0);
  });

  it('turns what a portal writes into the hub WebSocket URL', () => {
    expect(toWsUrl('https://hub.example', 'https://portal.example/')).toBe('wss://hub.example/ws');
    expect(toWsUrl('http://127.0.0.1:8080/', 'http://x/')).toBe('ws://127.0.0.1:8080/ws');
    expect(toWsUrl('wss://hub.example/ws', 'https://x/')).toBe('wss://hub.example/ws');
    expect(toWsUrl('/hub/ws', 'https://portal.example/page')).toBe('wss://portal.example/hub/ws');
  });
});
