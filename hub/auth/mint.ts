// Mints HS256 tokens the way a portal does: for the demo portal, tests and load tests.
import { SignJWT } from 'jose';

export async function mintToken(
  secret: string,
  sub: string,
  opts: { issuer?: string; audience?: string; ttlSeconds?: number; name?: string } = {},
): Promise<string> {
  const now = Math.floor(Date.now() / 1000);
  return new SignJWT({})
    .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
    .setSubject(sub)
    .setIssuer(opts.issuer ?? 'schoolhub-dev')
    .setAudience(opts.audience ?? 'schoolhub')
    .setIssuedAt(now)
    .setExpirationTime(now + (opts.ttlSeconds ?? 3600))
    .sign(new TextEncoder().encode(secret));
}
