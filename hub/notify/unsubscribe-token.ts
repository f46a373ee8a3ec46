// The signed link of one-click unsubscribe (RFC 8058): a compact JWS (HS256, jose) that names one
// person and one kind and expires. Whoever holds it may turn that one kind of e-mail off for that
// one person, nothing else: it is not a login, and is signed with a key of its own.
import { createHmac } from 'node:crypto';
import { SignJWT, jwtVerify } from 'jose';
import { z } from 'zod';
import { NOTICE_KINDS, type Language, type NoticeKind } from '../../storage/notification-preferences.ts';
import { directoryIdSchema } from '../directory/schema.ts';

/** How long a link in an e-mail works: long enough for an old e-mail, short enough to end. */
export const UNSUBSCRIBE_TTL_SECONDS = 90 * 24 * 3600;

/** The `aud` of a link: a login token (aud HUB_JWT_AUDIENCE) is never accepted as one. */
const AUDIENCE = 'schoolhub-unsubscribe';

export interface Unsubscribe {
  personId: string;
  kind: NoticeKind;
  /** The language of the pages the link opens (the e-mail's). */
  language: Language;
}

/**
 * The key: HUB_UNSUBSCRIBE_SECRET, else an HMAC of a fixed label under the JWT secret, so the
 * links never share the login tokens' key (a link is never a login and the reverse), and an
 * operator has one secret fewer to keep. Rotating the JWT secret then ends the links already
 * sent. Undefined when neither is configured (tokens checked by JWKS only): no links.
 */
export function unsubscribeKey(explicit: string | undefined, jwtSecret: string | undefined): Uint8Array | undefined {
  if (explicit) return new TextEncoder().encode(explicit);
  if (jwtSecret) return new Uint8Array(createHmac('sha256', jwtSecret).update('schoolhub unsubscribe link v1').digest());
  return undefined;
}

export async function signUnsubscribe(key: Uint8Array, u: Unsubscribe, nowSeconds = Math.floor(Date.now() / 1000), ttlSeconds = UNSUBSCRIBE_TTL_SECONDS): Promise<string> {
  return new SignJWT({ kind: u.kind, lang: u.language })
    .setProtectedHeader({ alg: 'HS256' })
    .setSubject(u.personId)
    .setAudience(AUDIENCE)
    .setIssuedAt(nowSeconds)
    .setExpirationTime(nowSeconds + ttlSeconds)
    .sign(key);
}

/** A token as it may arrive in a query string: compact JWS characters only, bounded. */
export const unsubscribeTokenSchema = z.string().max(2000).regex(/^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/);

const claimsSchema = z.object({
  sub: directoryIdSchema,
  kind: z.enum(NOTICE_KINDS),
  lang: z.enum(['sv', 'en']),
});

export type VerifyResult = { ok: true; unsubscribe: Unsubscribe } | { ok: false; reason: 'invalid' | 'expired' };

/** Checks signature, audience, expiry and claims; anything else about the token is `invalid`. */
export async function verifyUnsubscribe(key: Uint8Array, token: string, nowSeconds?: number): Promise<VerifyResult> {
  if (!unsubscribeTokenSchema.safeParse(token).success) return { ok: false, reason: 'invalid' };
  try {
    const { payload } = await jwtVerify(token, key, {
      algorithms: ['HS256'], audience: AUDIENCE, requiredClaims: ['exp', 'sub'],
      ...(nowSeconds === undefined ? {} : { currentDate: new Date(nowSeconds * 1000) }),
    });
    const claims = claimsSchema.safeParse(payload);
    if (!claims.success) return { ok: false, reason: 'invalid' };
    return { ok: true, unsubscribe: { personId: claims.data.sub, kind: claims.data.kind, language: claims.data.lang } };
  } catch (e) {
    return { ok: false, reason: (e as { code?: string }).code === 'ERR_JWT_EXPIRED' ? 'expired' : 'invalid' };
  }
}
