// Token attacks (docs/SECURITY.md): each is refused with the documented close code and
// nothing else happens. Tokens from a JWKS: algorithm confusion is refused.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createServer, type Server } from 'node:http';
import { SignJWT, exportJWK, exportSPKI, generateKeyPair } from 'jose';
import { startTestHub, TEST_SECRET, type TestHub } from '../testing/harness.ts';
import { useTestHub } from '../testing/lifecycle.ts';
import { TestClient } from '../testing/client.ts';
import { demoBundle } from '../demo/district.ts';

async function helloCloses(t: TestHub, token: string): Promise<{ code: number; reason: string }> {
  const c = await TestClient.open(t.wsUrl);
  c.send({ type: 'hello', token });
  return c.closed;
}

const now = () => Math.floor(Date.now() / 1000);
const hs = (claims: { sub?: string; nbf?: number; exp?: number; iss?: string; aud?: string }, secret = TEST_SECRET) => {
  const jwt = new SignJWT({}).setProtectedHeader({ alg: 'HS256' }).setIssuer(claims.iss ?? 'schoolhub-dev').setAudience(claims.aud ?? 'schoolhub').setExpirationTime(claims.exp ?? now() + 600);
  if (claims.sub) jwt.setSubject(claims.sub);
  if (claims.nbf) jwt.setNotBefore(claims.nbf);
  return jwt.sign(new TextEncoder().encode(secret));
};

describe('shared-secret tokens', () => {
  let t: TestHub;
  useTestHub((hub) => (t = hub));

  it('refuses a token that is not valid yet (nbf in the future) with 4003', async () => {
    expect((await helloCloses(t, await hs({ sub: 'p-stu-ek-1', nbf: now() + 3600 }))).code).toBe(4003);
  });

  it('refuses an oversized token with 4003, unread', async () => {
    const huge = (await hs({ sub: 'p-stu-ek-1' })) + 'A'.repeat(20_000);
    expect(await helloCloses(t, huge)).toEqual({ code: 4003, reason: 'token invalid: too large' });
  });

  it('refuses a token without sub', async () => {
    expect((await helloCloses(t, await hs({})))).toMatchObject({ code: 4003 });
  });

  it('a token replayed after the person left the directory is refused, and open connections close', async () => {
    const token = await hs({ sub: 'p-gua-bj-4b' });
    const open = await TestClient.open(t.wsUrl);
    expect((await open.hello(token)).type).toBe('welcome');
    // The school's system no longer names the guardian link: the person has no relation left.
    const bundle = demoBundle();
    bundle.persons = bundle.persons.map((p) => ({ ...p, responsibles: p.responsibles?.filter((r) => r.person.id !== 'p-gua-bj-4b') }));
    expect((await t.importBundle(bundle)).status).toBe(200);
    // Rights follow the directory, not the token, which is still valid for ten minutes.
    expect(await open.closed).toMatchObject({ code: 4003, reason: 'no longer in the directory' });
    expect(await helloCloses(t, token)).toMatchObject({ code: 4003, reason: 'token subject is not in the directory' });
    expect((await t.importBundle(demoBundle())).status).toBe(200);
    expect((await (await TestClient.open(t.wsUrl)).hello(token)).type).toBe('welcome');
  });
});

describe('JWKS tokens', () => {
  let t: TestHub;
  let jwksServer: Server;
  let privateKey: CryptoKey;
  let publicPem: string;
  beforeAll(async () => {
    const pair = await generateKeyPair('RS256', { extractable: true });
    privateKey = pair.privateKey as CryptoKey;
    publicPem = await exportSPKI(pair.publicKey);
    const jwk = { ...(await exportJWK(pair.publicKey)), kid: 'k1', alg: 'RS256', use: 'sig' };
    jwksServer = createServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ keys: [jwk] }));
    });
    await new Promise<void>((r) => jwksServer.listen(0, '127.0.0.1', r));
    const port = (jwksServer.address() as { port: number }).port;
    t = await startTestHub({ env: { HUB_JWT_SECRET: '', HUB_JWT_JWKS_URL: `http://127.0.0.1:${port}/jwks.json` } });
  });
  afterAll(async () => {
    await t?.stop();
    jwksServer?.close();
  });

  const rs = (sub: string) => new SignJWT({}).setProtectedHeader({ alg: 'RS256', kid: 'k1' }).setSubject(sub).setIssuer('schoolhub-dev').setAudience('schoolhub').setExpirationTime(now() + 600).sign(privateKey);

  it('accepts a token signed with the portal key from the JWKS', async () => {
    const c = await TestClient.open(t.wsUrl);
    expect((await c.hello(await rs('p-stu-ek-1'))).type).toBe('welcome');
    c.close();
  });

  it('refuses HS/RS confusion: an HS256 token keyed with the public key', async () => {
    const forged = await new SignJWT({}).setProtectedHeader({ alg: 'HS256', kid: 'k1' }).setSubject('p-leader-ek').setIssuer('schoolhub-dev').setAudience('schoolhub').setExpirationTime(now() + 600).sign(new TextEncoder().encode(publicPem));
    expect((await helloCloses(t, forged)).code).toBe(4003);
  });

  it('refuses a token signed by another key with the same kid', async () => {
    const other = await generateKeyPair('RS256');
    const forged = await new SignJWT({}).setProtectedHeader({ alg: 'RS256', kid: 'k1' }).setSubject('p-leader-ek').setIssuer('schoolhub-dev').setAudience('schoolhub').setExpirationTime(now() + 600).sign(other.privateKey);
    expect((await helloCloses(t, forged)).code).toBe(4003);
  });

  it('refuses a shared-secret token when the hub verifies by JWKS', async () => {
    expect((await helloCloses(t, await hs({ sub: 'p-stu-ek-1' })))).toMatchObject({ code: 4003 });
  });
});
