// The client address behind trusted proxies: X-Forwarded-For read right to left, believed
// only from a listed proxy, validated hop by hop.
import { describe, expect, it } from 'vitest';
import { TrustedProxies, canonicalAddress, clientAddressOf, limitKey } from './client-address.ts';

const trusted = TrustedProxies.parse('10.0.0.0/8, 192.168.1.7, fd00::/8');

describe('client address', () => {
  it('ignores X-Forwarded-For from a socket that is not a listed proxy', () => {
    expect(clientAddressOf('203.0.113.5', '198.51.100.1', trusted)).toBe('203.0.113.5');
    expect(clientAddressOf('203.0.113.5', '198.51.100.1', TrustedProxies.parse(''))).toBe('203.0.113.5');
  });

  it('takes the first untrusted hop from the right, so a client cannot claim another address', () => {
    // The client wrote "198.51.100.1" itself; nginx appended what it saw (203.0.113.5).
    expect(clientAddressOf('10.1.1.1', '198.51.100.1, 203.0.113.5', trusted)).toBe('203.0.113.5');
    // Two proxies: a load balancer (10.2.2.2) in front of nginx.
    expect(clientAddressOf('10.1.1.1', '203.0.113.5, 10.2.2.2', trusted)).toBe('203.0.113.5');
    expect(clientAddressOf('192.168.1.7', '2001:db8::1', trusted)).toBe('2001:db8::1');
  });

  it('never keys on garbage: a hop that is not an address ends the walk at the last trustworthy one', () => {
    expect(clientAddressOf('10.1.1.1', 'evil', trusted)).toBe('10.1.1.1');
    expect(clientAddressOf('10.1.1.1', '203.0.113.5, 10.2.2.2, not-an-ip', trusted)).toBe('10.1.1.1');
    expect(clientAddressOf('10.1.1.1', '203.0.113.5:1234', trusted)).toBe('10.1.1.1');
    expect(clientAddressOf('10.1.1.1', '', trusted)).toBe('10.1.1.1');
    // Only proxies in the header: the leftmost is as far as anyone can tell.
    expect(clientAddressOf('10.1.1.1', '10.3.3.3, 10.2.2.2', trusted)).toBe('10.3.3.3');
  });

  it('spells each address one way, so one client cannot hold two budgets', () => {
    expect(canonicalAddress('::ffff:127.0.0.2')).toBe('127.0.0.2');
    expect(canonicalAddress('::FFFF:7f00:2')).toBe('127.0.0.2');
    expect(canonicalAddress('2001:DB8:0:0:0:0:0:1')).toBe('2001:db8::1');
    expect(canonicalAddress(' 203.0.113.5 ')).toBe('203.0.113.5');
    expect(canonicalAddress('1.2.3')).toBeUndefined();
    expect(clientAddressOf('::ffff:10.1.1.1', '2001:DB8::0:1', trusted)).toBe('2001:db8::1');
    expect(trusted.has('fd12:3456::1')).toBe(true);
  });

  it('counts an IPv6 client by its /64, which one home or phone owns whole', () => {
    expect(limitKey('2001:db8:1:2:aaaa::1')).toBe('2001:db8:1:2::/64');
    expect(limitKey('2001:db8:1:2:bbbb:cccc:dddd:eeee')).toBe('2001:db8:1:2::/64');
    expect(limitKey('2001:db8::1')).toBe('2001:db8:0:0::/64');
    expect(limitKey('::1')).toBe('0:0:0:0::/64');
    expect(limitKey('fe80:0:0:0:1::')).toBe('fe80:0:0:0::/64');
    expect(limitKey('203.0.113.5')).toBe('203.0.113.5');
  });

  it('refuses entries of HUB_TRUSTED_PROXIES that are not addresses or ranges', () => {
    for (const bad of ['10.0.0.0/33', 'fd00::/129', 'proxy.local', '10.0.0.0/', '10.0.0.0/8/8', '*']) {
      expect(() => TrustedProxies.parse(bad), bad).toThrow(/not an address or CIDR range/);
    }
  });
});
