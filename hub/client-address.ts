// The client address of a request: what every per-address limit counts (WebSocket upgrades,
// connections, HTTP requests, uploads). Behind a proxy the socket's address is the proxy's,
// shared by everyone, so the address is taken from X-Forwarded-For, but only when the socket
// comes from a proxy the operator listed (HUB_TRUSTED_PROXIES): anyone else could write any
// address into that header and get a fresh budget with each request.
import { BlockList, isIP, isIPv4 } from 'node:net';
import type { HttpRequest, HttpResponse } from './uws.ts';

/**
 * An address in one spelling per address: IPv4-mapped IPv6 (`::ffff:127.0.0.1`, as a
 * dual-stack socket reports IPv4 peers) as IPv4, IPv6 compressed and lower case. Undefined
 * for anything that is not an address.
 */
export function canonicalAddress(raw: string): string | undefined {
  const a = raw.trim();
  if (isIPv4(a)) return a;
  if (isIP(a) !== 6) return undefined;
  const v6 = new URL(`http://[${a}]/`).hostname.slice(1, -1);
  const mapped = /^::ffff:([0-9a-f]{1,4}):([0-9a-f]{1,4})$/.exec(v6);
  if (mapped) {
    const hi = parseInt(mapped[1]!, 16);
    const lo = parseInt(mapped[2]!, 16);
    return `${hi >> 8}.${hi & 255}.${lo >> 8}.${lo & 255}`;
  }
  return v6;
}

/** The operator's list of proxies: addresses and CIDR ranges, IPv4 and IPv6. */
export class TrustedProxies {
  private readonly list = new BlockList();
  readonly empty: boolean;

  /** Throws with every entry that is neither an address nor a CIDR range. */
  constructor(readonly entries: readonly string[]) {
    const bad = entries.filter((e) => !TrustedProxies.valid(e));
    if (bad.length) throw new Error(`not an address or CIDR range: ${bad.join(', ')}`);
    for (const e of entries) {
      const [addr, bits] = e.split('/') as [string, string | undefined];
      const a = canonicalAddress(addr)!;
      const type = isIPv4(a) ? 'ipv4' : 'ipv6';
      if (bits === undefined) this.list.addAddress(a, type);
      else this.list.addSubnet(a, Number(bits), type);
    }
    this.empty = entries.length === 0;
  }

  /** An address (`10.0.0.5`, `fd00::1`) or a CIDR range (`10.0.0.0/8`, `fd00::/8`). */
  static valid(entry: string): boolean {
    const m = /^([^/]+)(?:\/(\d{1,3}))?$/.exec(entry);
    if (!m) return false;
    const a = canonicalAddress(m[1]!);
    if (!a) return false;
    if (m[2] === undefined) return true;
    const bits = Number(m[2]);
    return bits <= (isIPv4(a) ? 32 : 128);
  }

  /** Parses the comma-separated HUB_TRUSTED_PROXIES; empty: no proxy is trusted. */
  static parse(list: string): TrustedProxies {
    return new TrustedProxies(list.split(',').map((s) => s.trim()).filter(Boolean));
  }

  has(address: string): boolean {
    if (this.empty) return false;
    const a = canonicalAddress(address);
    return a !== undefined && this.list.check(a, isIPv4(a) ? 'ipv4' : 'ipv6');
  }
}

/**
 * The client address, given the socket's peer and the X-Forwarded-For header. The header is
 * read only when the peer is a trusted proxy, right to left (each proxy appends the address
 * it saw), skipping trusted proxies: the first address that is not one is the client. A hop
 * that is not an address ends the walk at the last trustworthy one, so garbage never becomes
 * a budget of its own.
 */
export function clientAddressOf(peer: string, forwardedFor: string, trusted: TrustedProxies): string {
  let client = canonicalAddress(peer) ?? peer;
  if (!trusted.has(client) || forwardedFor === '') return client;
  const hops = forwardedFor.split(',');
  for (let i = hops.length - 1; i >= 0; i--) {
    const hop = canonicalAddress(hops[i]!);
    if (hop === undefined) return client;
    client = hop;
    if (!trusted.has(hop)) return hop;
  }
  return client;
}

/**
 * What a per-address limit counts for an address: the IPv4 address, or the /64 of an IPv6 one
 * (a single home or phone is given a whole /64, and could otherwise take a new address, and a
 * new budget, for every request).
 */
export function limitKey(address: string): string {
  if (!address.includes(':')) return address;
  const groups = new URL(`http://[${address}]/`).hostname.slice(1, -1);
  // Expand "::" to read the first four groups.
  const [head = '', tail = ''] = groups.split('::');
  const h = head ? head.split(':') : [];
  const t = groups.includes('::') ? (tail ? tail.split(':') : []) : [];
  const full = [...h, ...Array<string>(8 - h.length - t.length).fill('0'), ...t];
  return `${full.slice(0, 4).map((g) => g.replace(/^0+(?=.)/, '')).join(':')}::/64`;
}

/**
 * The client of a uWS request as every per-address limit counts it (its address, or its /64);
 * call it in the synchronous part of the handler.
 */
export function requestAddress(trusted: TrustedProxies): (res: HttpResponse, req: HttpRequest) => string {
  return (res, req) => {
    const peer = Buffer.from(res.getRemoteAddressAsText()).toString();
    // Only read the header when it can count: one lookup less on every direct request.
    const client = trusted.empty ? canonicalAddress(peer) ?? peer : clientAddressOf(peer, req.getHeader('x-forwarded-for'), trusted);
    return canonicalAddress(client) === undefined ? client : limitKey(client);
  };
}
