// A VAPID identity for tests (RFC 8292): a fresh P-256 pair in base64url and the three variables
// a hub with Web Push wants together. A hub that knows fewer of them ignores the others.
import { createECDH } from 'node:crypto';

export function testVapid(): { publicKey: string; env: Record<string, string> } {
  const ecdh = createECDH('prime256v1');
  const publicKey = ecdh.generateKeys().toString('base64url');
  const raw = ecdh.getPrivateKey();
  // Always 32 bytes, as web-push takes it (a key with a leading zero byte comes back shorter).
  const privateKey = Buffer.concat([Buffer.alloc(32 - raw.length), raw]).toString('base64url');
  return { publicKey, env: { HUB_VAPID_PUBLIC_KEY: publicKey, HUB_VAPID_PRIVATE_KEY: privateKey, HUB_VAPID_SUBJECT: 'mailto:test@example.invalid' } };
}
