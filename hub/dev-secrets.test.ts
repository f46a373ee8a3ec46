// Dev mode keeps what it made up (hub/dev-secrets.ts): a restart reuses the JWT secret, the
// admin token and the VAPID pair, so tokens and push subscriptions made before it still work.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadConfig } from './config.ts';
import { keepDevSecrets } from './dev-secrets.ts';

const dir = mkdtempSync(path.join(tmpdir(), 'schoolhub-dev-secrets-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('dev secrets', () => {
  it('a restart keeps the generated VAPID pair with the secret and the admin token', () => {
    const first = keepDevSecrets(loadConfig({ HUB_DATA_DIR: dir }));
    const second = keepDevSecrets(loadConfig({ HUB_DATA_DIR: dir }));
    expect(first.push.vapid?.publicKey).toMatch(/^B/);
    expect(second.push.vapid).toEqual(first.push.vapid);
    expect(second.generated.vapid).toEqual({ publicKey: first.push.vapid!.publicKey, privateKey: first.push.vapid!.privateKey });
    expect(second.jwtSecret).toBe(first.jwtSecret);
    const kept = JSON.parse(readFileSync(path.join(dir, 'dev-secrets.json'), 'utf8')) as { vapid: unknown };
    expect(kept.vapid).toEqual(second.generated.vapid);
  });

  it('configured keys are never replaced by kept ones', () => {
    const configured = loadConfig({ HUB_DATA_DIR: dir, HUB_JWT_SECRET: 'x'.repeat(32), HUB_ADMIN_TOKEN: 'admin' });
    expect(keepDevSecrets(configured)).toBe(configured);
    expect(configured.push.vapid).toBeNull();
  });
});
