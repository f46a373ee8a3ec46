// Portal-issued tokens (jose): HS256 with a shared secret, or keys from the portal's JWKS.
// iss, aud and exp are always required; sub is the person's directory id.
import { createRemoteJWKSet, jwtVerify, errors, type JWTPayload } from 'jose';

export interface TokenOptions {
  secret?: string | undefined;
  jwksUrl?: string | undefined;
  issuer: string;
  audience: string;
}

export interface VerifiedToken {
  sub: string;
  /** Expiry, ms since the epoch. */
  expiresAt: number;
}

export class TokenError extends Error {
  constructor(
    readonly reason: 'expired' | 'invalid',
    message: string,
  ) {
    super(message);
  }
}

export type TokenVerifier = (token: string) => Promise<VerifiedToken>;

const ASYMMETRIC = ['RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512', 'ES256', 'ES384', 'ES512', 'EdDSA'];

export function tokenVerifier(opts: TokenOptions): TokenVerifier {
  const verifyOptions = { issuer: opts.issuer, audience: opts.audience, requiredClaims: ['exp', 'sub'], clockTolerance: 5 };
  let verify: (token: string) => Promise<JWTPayload>;
  if (opts.jwksUrl) {
    const jwks = createRemoteJWKSet(new URL(opts.jwksUrl), { cooldownDuration: 30_000, timeoutDuration: 5_000 });
    // Only asymmetric algorithms: a token signed with HS256 over a public key is refused.
    verify = async (t) => (await jwtVerify(t, jwks, { ...verifyOptions, algorithms: ASYMMETRIC })).payload;
  } else if (opts.secret) {
    const key = new TextEncoder().encode(opts.secret);
    verify = async (t) => (await jwtVerify(t, key, { ...verifyOptions, algorithms: ['HS256'] })).payload;
  } else {
    throw new Error('tokens: configure HUB_JWT_SECRET or HUB_JWT_JWKS_URL');
  }
  return async (token) => {
    let payload: JWTPayload;
    try {
      payload = await verify(token);
    } catch (e) {
      if (e instanceof errors.JWTExpired) throw new TokenError('expired', 'token expired');
      throw new TokenError('invalid', e instanceof Error ? `token invalid: ${e.message}` : 'token invalid');
    }
    if (typeof payload.sub !== 'string' || payload.sub === '' || typeof payload.exp !== 'number') {
      throw new TokenError('invalid', 'token invalid: sub and exp are required');
    }
    return { sub: payload.sub, expiresAt: payload.exp * 1000 };
  };
}
