// Dev mode: the secret, admin token and VAPID keys the hub made up are kept in HUB_DATA_DIR,
// so that a restart keeps tokens that a developer already minted working, and browsers that
// subscribed to push with the hub's VAPID public key keep receiving.
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { HubConfig, VapidKeys } from './config.ts';

interface Kept {
  jwtSecret?: string;
  adminToken?: string;
  vapid?: VapidKeys;
}

const isVapid = (v: unknown): v is VapidKeys =>
  typeof v === 'object' && v !== null && typeof (v as VapidKeys).publicKey === 'string' && typeof (v as VapidKeys).privateKey === 'string';

export function keepDevSecrets(config: HubConfig): HubConfig {
  const { generated } = config;
  if (!generated.jwtSecret && !generated.adminToken && !generated.vapid) return config;
  const file = path.join(config.dataDir, 'dev-secrets.json');
  let kept: Kept = {};
  try {
    if (existsSync(file)) kept = JSON.parse(readFileSync(file, 'utf8')) as Kept;
  } catch {
    kept = {};
  }
  const next = { ...config, generated: { ...generated } };
  if (generated.jwtSecret) next.jwtSecret = next.generated.jwtSecret = kept.jwtSecret ?? generated.jwtSecret;
  if (generated.adminToken) next.adminToken = next.generated.adminToken = kept.adminToken ?? generated.adminToken;
  if (generated.vapid && config.push.vapid) {
    const vapid = isVapid(kept.vapid) ? { publicKey: kept.vapid.publicKey, privateKey: kept.vapid.privateKey } : generated.vapid;
    next.generated.vapid = vapid;
    next.push = { ...config.push, vapid: { ...config.push.vapid, ...vapid } };
  }
  mkdirSync(config.dataDir, { recursive: true });
  const out: Kept = { jwtSecret: next.generated.jwtSecret, adminToken: next.generated.adminToken, vapid: next.generated.vapid };
  writeFileSync(file, JSON.stringify(out, null, 2) + '\n', { mode: 0o600 });
  return next;
}
