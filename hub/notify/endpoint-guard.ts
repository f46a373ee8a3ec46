// The SSRF guard of Web Push (docs/SECURITY.md "Push endpoints"). A push endpoint is a URL a
// client hands the hub, and the hub POSTs to it: without this guard any signed-in person could
// make the hub send requests into the operator's network. An endpoint passes when
//   - it is https (port 443), with no user name or password in it;
//   - its host is on the operator's allow-list of push services (HUB_PUSH_ALLOWED_HOSTS);
//   - every address its host resolves to is public (no loopback, private, link-local, CGNAT,
//     multicast, reserved or documentation range, nor an IPv6 form of one of those).
// It is checked when a device subscribes and again before every connection, and the address
// checked is the address connected to (`pinnedLookup`): a name that resolves to a public
// address at the check and to 127.0.0.1 a moment later (DNS rebinding) never reaches the latter.
// Tests may let loopback addresses through (HUB_PUSH_ALLOW_LOOPBACK, refused outside
// NODE_ENV=test by hub/config.ts), and then plain http to them too: the stand-in push service.
import { lookup } from 'node:dns/promises';
import { BlockList, isIP } from 'node:net';
import type { LookupFunction } from 'node:net';

export interface EndpointPolicy {
  /** Exact host names, or `*.domain` for any name below domain. */
  allowedHosts: readonly string[];
  /** Tests only: loopback addresses pass, over http or https. */
  allowLoopback: boolean;
}

/** Why an endpoint was refused: a short reason a client may see (no addresses of ours in it). */
export class EndpointRefused extends Error {}

/** The name did not resolve (now): refused at subscribe time, retried later at send time. */
export class EndpointUnresolved extends EndpointRefused {}

export interface ResolvedAddress {
  address: string;
  family: 4 | 6;
}

/** Every address a host name resolves to (the system resolver, as connections use it). */
export type Resolve = (host: string) => Promise<ResolvedAddress[]>;

/** How long a name may take to resolve before the endpoint counts as unresolvable. */
export const RESOLVE_TIMEOUT_MS = 3_000;

/** The system resolver (what a connection by name would use), every address of the name, within RESOLVE_TIMEOUT_MS. */
export const systemResolve: Resolve = async (host) => {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${host} did not resolve within ${RESOLVE_TIMEOUT_MS} ms`)), RESOLVE_TIMEOUT_MS);
  });
  try {
    const found = await Promise.race([lookup(host, { all: true, verbatim: true }), late]);
    return found.map((a) => ({ address: a.address, family: a.family === 6 ? 6 : 4 }));
  } finally {
    clearTimeout(timer);
  }
};

/** The longest endpoint accepted; push services' endpoints are a few hundred characters. */
export const MAX_ENDPOINT_CHARS = 1024;

const NOT_PUBLIC_V4 = new BlockList();
for (const [net, bits] of [
  ['0.0.0.0', 8], // "this network"
  ['10.0.0.0', 8], // private
  ['100.64.0.0', 10], // carrier-grade NAT
  ['127.0.0.0', 8], // loopback
  ['169.254.0.0', 16], // link-local (cloud metadata services live here)
  ['172.16.0.0', 12], // private
  ['192.0.0.0', 24], // IETF protocol assignments
  ['192.0.2.0', 24], // documentation
  ['192.88.99.0', 24], // 6to4 relay anycast
  ['192.168.0.0', 16], // private
  ['198.18.0.0', 15], // benchmarking
  ['198.51.100.0', 24], // documentation
  ['203.0.113.0', 24], // documentation
  ['224.0.0.0', 4], // multicast
  ['240.0.0.0', 4], // reserved, and 255.255.255.255 broadcast
] as const) NOT_PUBLIC_V4.addSubnet(net, bits, 'ipv4');

const LOOPBACK_V4 = new BlockList();
LOOPBACK_V4.addSubnet('127.0.0.0', 8, 'ipv4');

// Inside 2000::/3 (global unicast, the only IPv6 space that passes), the parts that are not
// an ordinary public host. IPv4-mapped addresses are judged by the IPv4 address they carry.
const NOT_PUBLIC_V6 = new BlockList();
for (const [net, bits] of [
  ['2001::', 23], // IETF protocol assignments, Teredo (2001::/32) among them
  ['2001:db8::', 32], // documentation
  ['2002::', 16], // 6to4: tunnels to any IPv4 address
  ['3fff::', 20], // documentation
] as const) NOT_PUBLIC_V6.addSubnet(net, bits, 'ipv6');

/** The 16 bytes of an IPv6 address (any text form, including a dotted IPv4 tail). */
function v6Bytes(ip: string): Uint8Array {
  // The URL parser writes every form the same way: hex groups, `::` for the longest zero run.
  const canonical = new URL(`http://[${ip}]/`).hostname.slice(1, -1);
  const [head, tail] = canonical.includes('::') ? canonical.split('::') as [string, string] : [canonical, undefined];
  const groups = (s: string | undefined) => (s ? s.split(':').map((g) => parseInt(g, 16)) : []);
  const h = groups(head);
  const t = groups(tail);
  const all = tail === undefined ? h : [...h, ...new Array<number>(8 - h.length - t.length).fill(0), ...t];
  const out = new Uint8Array(16);
  all.forEach((g, i) => {
    out[2 * i] = g >> 8;
    out[2 * i + 1] = g & 0xff;
  });
  return out;
}

/** Is `ip` an address of the public internet? (The loopback exception is the caller's.) */
export function isPublicAddress(ip: string): boolean {
  const family = isIP(ip);
  if (family === 4) return !NOT_PUBLIC_V4.check(ip, 'ipv4');
  if (family !== 6) return false;
  const b = v6Bytes(ip.replace(/%.*$/, ''));
  // ::ffff:a.b.c.d (mapped) and ::a.b.c.d (the old "compatible" form): the IPv4 address decides.
  if (b.slice(0, 10).every((x) => x === 0) && ((b[10] === 0xff && b[11] === 0xff) || (b[10] === 0 && b[11] === 0))) {
    return isPublicAddress(`${b[12]}.${b[13]}.${b[14]}.${b[15]}`);
  }
  // Only global unicast (2000::/3): this leaves out ::1, ::, fc00::/7, fe80::/10, ff00::/8, 64:ff9b::/96 (NAT64) ...
  if ((b[0]! & 0xe0) !== 0x20) return false;
  return !NOT_PUBLIC_V6.check(ip, 'ipv6');
}

/** Is `ip` a loopback address (127/8, ::1, or either mapped)? */
export function isLoopbackAddress(ip: string): boolean {
  const family = isIP(ip);
  if (family === 4) return LOOPBACK_V4.check(ip, 'ipv4');
  if (family !== 6) return false;
  const b = v6Bytes(ip.replace(/%.*$/, ''));
  if (b.slice(0, 15).every((x) => x === 0) && b[15] === 1) return true;
  if (b.slice(0, 10).every((x) => x === 0) && b[10] === 0xff && b[11] === 0xff) return b[12] === 127;
  return false;
}

/** Does `host` match an allow-list entry (`*.domain`: any name below domain, not domain itself)? */
export function hostAllowed(host: string, allowed: readonly string[]): boolean {
  const h = host.toLowerCase();
  return allowed.some((a) => (a.startsWith('*.') ? h.endsWith(a.slice(1)) && h.length > a.length - 1 : h === a));
}

/**
 * The checks that need no DNS: length, scheme, port, credentials, allow-list. Returns the
 * parsed URL; throws EndpointRefused.
 */
export function checkEndpointUrl(endpoint: string, policy: EndpointPolicy): URL {
  if (endpoint.length > MAX_ENDPOINT_CHARS) throw new EndpointRefused(`an endpoint is at most ${MAX_ENDPOINT_CHARS} characters`);
  let url: URL;
  try {
    url = new URL(endpoint);
  } catch {
    throw new EndpointRefused('not a URL');
  }
  const loopbackLiteral = policy.allowLoopback && isLoopbackAddress(url.hostname.replace(/^\[|\]$/g, ''));
  const loopbackName = policy.allowLoopback && url.hostname === 'localhost';
  if (url.protocol !== 'https:' && !(url.protocol === 'http:' && (loopbackLiteral || loopbackName))) {
    throw new EndpointRefused('a push endpoint must be https');
  }
  if (url.username !== '' || url.password !== '') throw new EndpointRefused('a push endpoint carries no user name or password');
  // Push services listen on 443; any other port of an allowed host is not its push service.
  if (url.port !== '' && url.port !== '443' && !(loopbackLiteral || loopbackName)) throw new EndpointRefused('a push endpoint uses the https port');
  if (url.hostname.endsWith('.')) throw new EndpointRefused('not an allowed push service');
  if (!hostAllowed(url.hostname.replace(/^\[|\]$/g, ''), policy.allowedHosts)) throw new EndpointRefused('not an allowed push service');
  return url;
}

/** Whether one resolved address may be connected to under `policy`. */
export function addressAllowed(ip: string, policy: EndpointPolicy): boolean {
  return isPublicAddress(ip) || (policy.allowLoopback && isLoopbackAddress(ip));
}

/**
 * Resolves the endpoint's host and checks every address it has (a name with one private
 * address among public ones is refused: which one a connection picks is not ours to know).
 * Returns the address to connect to.
 */
export async function resolveEndpoint(url: URL, policy: EndpointPolicy, resolve: Resolve): Promise<ResolvedAddress> {
  const host = url.hostname.replace(/^\[|\]$/g, '');
  const literal = isIP(host);
  let addresses: ResolvedAddress[];
  if (literal) {
    addresses = [{ address: host, family: literal as 4 | 6 }];
  } else {
    try {
      addresses = await resolve(host);
    } catch {
      throw new EndpointUnresolved('the push service could not be resolved');
    }
  }
  if (addresses.length === 0) throw new EndpointUnresolved('the push service could not be resolved');
  if (!addresses.every((a) => addressAllowed(a.address, policy))) throw new EndpointRefused('the push service does not resolve to public addresses');
  return addresses[0]!;
}

/** Both checks: what push.subscribe runs, and the push channel before each connection. */
export async function checkEndpoint(endpoint: string, policy: EndpointPolicy, resolve: Resolve): Promise<{ url: URL; address: ResolvedAddress }> {
  const url = checkEndpointUrl(endpoint, policy);
  return { url, address: await resolveEndpoint(url, policy, resolve) };
}

/**
 * A `lookup` for http(s).request that answers only the address already checked: the
 * connection goes where the guard looked, whatever DNS says by then. TLS still verifies the
 * certificate against the host name (SNI and Host stay the name).
 */
export function pinnedLookup(pinned: ResolvedAddress): LookupFunction {
  return ((_host: string, options: { all?: boolean }, callback: (...args: unknown[]) => void) => {
    if (options?.all) callback(null, [{ address: pinned.address, family: pinned.family }]);
    else callback(null, pinned.address, pinned.family);
  }) as LookupFunction;
}
