// The SSRF guard of Web Push, one refusal at a time (docs/SECURITY.md "Push endpoints"). DNS
// is a resolver handed in, so that a name can answer what an attacker's DNS would: the
// connect-time half (rebinding) is tested against real sockets in push-channel.hub.test.ts.
import { describe, expect, it } from 'vitest';
import { DEFAULT_PUSH_HOSTS } from '../config.ts';
import {
  EndpointRefused, checkEndpoint, checkEndpointUrl, hostAllowed, isLoopbackAddress, isPublicAddress, pinnedLookup, type EndpointPolicy, type Resolve,
} from './endpoint-guard.ts';

const policy: EndpointPolicy = { allowedHosts: [...DEFAULT_PUSH_HOSTS], allowLoopback: false };
const answers = (...addresses: string[]): Resolve => async () => addresses.map((address) => ({ address, family: address.includes(':') ? 6 : 4 }));
const FCM = 'https://fcm.googleapis.com/fcm/send/abc:def';

async function refusal(endpoint: string, resolve: Resolve, p = policy): Promise<string> {
  try {
    await checkEndpoint(endpoint, p, resolve);
  } catch (e) {
    if (e instanceof EndpointRefused) return e.message;
    throw e;
  }
  return 'accepted';
}

describe('push endpoint guard', () => {
  it('accepts an https endpoint of an allowed push service that resolves to public addresses', async () => {
    const ok = await checkEndpoint(FCM, policy, answers('142.250.74.42', '2a00:1450:400f:80d::200a'));
    expect(ok.address).toEqual({ address: '142.250.74.42', family: 4 });
    expect(await refusal('https://wns2-db5p.notify.windows.com/w/?token=x', answers('20.42.65.85'))).toBe('accepted');
  });

  it('refuses anything but https', async () => {
    for (const e of ['http://fcm.googleapis.com/fcm/send/x', 'ftp://fcm.googleapis.com/x', 'file:///etc/passwd', 'javascript:alert(1)', 'not a url']) {
      expect(await refusal(e, answers('142.250.74.42')), e).toMatch(/https|not a URL/);
    }
  });

  it('refuses a host not on the allow-list, a look-alike and a trailing dot', async () => {
    for (const e of [
      'https://evil.example/push', 'https://fcm.googleapis.com.evil.example/x', 'https://notify.windows.com/x',
      'https://xfcm.googleapis.com/x', 'https://fcm.googleapis.com./x', 'https://142.250.74.42/x',
    ]) {
      expect(await refusal(e, answers('142.250.74.42')), e).toBe('not an allowed push service');
    }
    expect(hostAllowed('a.b.notify.windows.com', ['*.notify.windows.com'])).toBe(true);
    expect(hostAllowed('notify.windows.com', ['*.notify.windows.com'])).toBe(false);
  });

  it('refuses credentials, other ports and endpoints over the length limit', async () => {
    expect(await refusal('https://user:pw@fcm.googleapis.com/x', answers('142.250.74.42'))).toMatch(/user name/);
    expect(await refusal('https://fcm.googleapis.com:8443/x', answers('142.250.74.42'))).toMatch(/https port/);
    expect(await refusal('https://fcm.googleapis.com:443/x', answers('142.250.74.42'))).toBe('accepted');
    expect(await refusal(`${FCM}/${'a'.repeat(1100)}`, answers('142.250.74.42'))).toMatch(/at most 1024/);
  });

  const notPublic: [string, string][] = [
    ['loopback', '127.0.0.1'], ['loopback, elsewhere in 127/8', '127.53.0.9'], ['this network', '0.0.0.0'],
    ['private 10/8', '10.1.2.3'], ['private 172.16/12', '172.31.255.1'], ['private 192.168/16', '192.168.1.10'],
    ['carrier-grade NAT', '100.64.0.1'], ['link-local (cloud metadata)', '169.254.169.254'], ['multicast', '224.0.0.251'],
    ['broadcast', '255.255.255.255'], ['reserved', '240.0.0.1'], ['benchmarking', '198.18.0.1'], ['documentation', '203.0.113.5'],
    ['IPv6 loopback', '::1'], ['IPv6 unspecified', '::'], ['IPv6 unique local', 'fd12:3456::1'], ['IPv6 link-local', 'fe80::1'],
    ['IPv6 multicast', 'ff02::1'], ['IPv4-mapped loopback', '::ffff:127.0.0.1'], ['IPv4-mapped private, hex form', '::ffff:a00:1'],
    ['IPv4-mapped metadata', '::ffff:169.254.169.254'], ['IPv4-compatible loopback', '::127.0.0.1'], ['NAT64', '64:ff9b::a00:1'],
    ['6to4', '2002:a00:1::1'], ['Teredo', '2001:0:4136:e378::1'], ['IPv6 documentation', '2001:db8::1'],
  ];
  for (const [what, ip] of notPublic) {
    it(`refuses a push service that resolves to ${what} (${ip})`, async () => {
      expect(isPublicAddress(ip)).toBe(false);
      expect(await refusal(FCM, answers(ip))).toBe('the push service does not resolve to public addresses');
    });
  }

  it('refuses a name with one non-public address among public ones, and a name that does not resolve', async () => {
    expect(await refusal(FCM, answers('142.250.74.42', '10.0.0.5'))).toBe('the push service does not resolve to public addresses');
    expect(await refusal(FCM, answers())).toBe('the push service could not be resolved');
    expect(await refusal(FCM, async () => Promise.reject(new Error('ENOTFOUND')))).toBe('the push service could not be resolved');
  });

  it('public addresses pass, mapped ones by their IPv4 address', () => {
    for (const ip of ['8.8.8.8', '142.250.74.42', '2a00:1450:400f:80d::200a', '::ffff:8.8.8.8', '2606:4700::1111']) expect(isPublicAddress(ip), ip).toBe(true);
  });

  it('loopback only with the test setting, and then http to loopback too; never private addresses', async () => {
    const loop = { allowedHosts: ['127.0.0.1', 'localhost', 'push.test'], allowLoopback: true };
    expect(await refusal('http://127.0.0.1:4000/push/1', answers(), loop)).toBe('accepted');
    expect(await refusal('https://push.test/1', answers('::1'), loop)).toBe('accepted');
    expect(await refusal('https://push.test/1', answers('10.0.0.1'), loop)).toBe('the push service does not resolve to public addresses');
    expect(await refusal('http://push.test/1', answers('127.0.0.1'), loop)).toBe('a push endpoint must be https');
    expect(await refusal('http://127.0.0.1:4000/push/1', answers(), { ...loop, allowLoopback: false })).toBe('a push endpoint must be https');
    expect(isLoopbackAddress('::ffff:127.0.0.1')).toBe(true);
    expect(isLoopbackAddress('10.0.0.1')).toBe(false);
  });

  it('checks the URL before asking DNS', () => {
    expect(() => checkEndpointUrl('https://evil.example/x', policy)).toThrow(EndpointRefused);
  });

  it('the pinned lookup answers the checked address whatever the name, in both forms', () => {
    const lookup = pinnedLookup({ address: '142.250.74.42', family: 4 });
    const one: unknown[] = [];
    const all: unknown[] = [];
    (lookup as unknown as (h: string, o: object, cb: (...a: unknown[]) => void) => void)('fcm.googleapis.com', {}, (...a) => one.push(...a));
    (lookup as unknown as (h: string, o: object, cb: (...a: unknown[]) => void) => void)('fcm.googleapis.com', { all: true }, (...a) => all.push(...a));
    expect(one).toEqual([null, '142.250.74.42', 4]);
    expect(all).toEqual([null, [{ address: '142.250.74.42', family: 4 }]]);
  });
});
