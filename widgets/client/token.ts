// Where tokens come from: the portal's token endpoint (`token-url`) or a `getToken()`
// callback. The client only reads `exp` to know when to refresh; the hub verifies the token.

export type GetToken = () => string | Promise<string>;

/** Reads `exp` (seconds) from a JWT without verifying it; undefined when it has none. */
export function tokenExpiry(token: string): number | undefined {
  const payload = token.split('.')[1];
  if (!payload) return undefined;
  try {
    const b64 = payload.replace(/-/g, '+').replace(/_/g, '/');
    const json = JSON.parse(atob(b64 + '='.repeat((4 - (b64.length % 4)) % 4))) as { exp?: unknown };
    return typeof json.exp === 'number' ? json.exp * 1000 : undefined;
  } catch {
    return undefined;
  }
}

/** A token endpoint's answer: the JWT as text, or JSON `{"token": "…"}`. */
export function tokenFromBody(body: string): string {
  const text = body.trim();
  if (text.startsWith('{')) {
    const token = (JSON.parse(text) as { token?: unknown }).token;
    if (typeof token !== 'string' || token === '') throw new Error('token endpoint: JSON without a "token" string');
    return token;
  }
  if (text.startsWith('"')) return JSON.parse(text) as string;
  if (!/^[\w-]+\.[\w-]+\.[\w-]*$/.test(text)) throw new Error('token endpoint: the answer is not a JWT');
  return text;
}

/** GET the portal's token endpoint with the page's cookies (the portal knows who is signed in). */
export function tokenFromUrl(url: string): GetToken {
  return async () => {
    const res = await fetch(url, { credentials: 'include', cache: 'no-store', headers: { accept: 'application/json, text/plain' } });
    if (!res.ok) throw new Error(`token endpoint answered ${res.status}`);
    return tokenFromBody(await res.text());
  };
}

/** Caches the current token; hands out a new one when asked to or when it is close to expiry. */
export class TokenSource {
  private token: string | undefined;
  private expiresAt: number | undefined;

  constructor(
    private readonly get: GetToken,
    private readonly now: () => number = Date.now,
  ) {}

  async current(fresh = false): Promise<string> {
    const stale = this.expiresAt !== undefined && this.expiresAt - this.now() < 30_000;
    if (fresh || stale || this.token === undefined) {
      const token = await this.get();
      if (typeof token !== 'string' || token === '') throw new Error('getToken() returned no token');
      this.token = token;
      this.expiresAt = tokenExpiry(token);
    }
    return this.token;
  }

  /**
   * When to refresh: a minute before expiry, or a quarter of the time left for short-lived
   * tokens, so a slow token endpoint still answers in time. undefined: no `exp`, no refresh.
   */
  refreshIn(): number | undefined {
    if (this.expiresAt === undefined) return undefined;
    const left = this.expiresAt - this.now();
    return Math.max(1_000, left - Math.min(60_000, left / 4));
  }
}
