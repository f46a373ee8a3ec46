// Dev mode: the secret and admin token the hub made up are kept in HUB_DATA_DIR, so that a
// restart keeps tokens that a developer already minted working.
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { HubConfig } from './config.ts';

export function keepDevSecrets(config: HubConfig): HubConfig {
  const { generated } = config;
  if (!generated.jwtSecret && !generated.adminToken) return config;
  const file = path.join(config.dataDir, 'dev-secrets.json');
  let kept: { jwtSecret?: string; adminToken?: string } = {};
  try {
    if (existsSync(file)) kept = JSON.parse(readFileSync(file, 'utf8')) as typeof kept;
  } catch {
    kept = {};
  }
  const next = { ...config, generated: { ...generated } };
  if (generated.jwtSecret) next.jwtSecret = next.generated.jwtSecret = kept.jwtSecret ?? generated.jwtSecret;
  if (generated.adminToken) next.adminToken = next.generated.adminToken = kept.adminToken ?? generated.adminToken;
  mkdirSync(config.dataDir, { recursive: true });
  writeFileSync(file, JSON.stringify({ jwtSecret: next.generated.jwtSecret, adminToken: next.generated.adminToken }, null, 2) + '\n', { mode: 0o600 });
  return next;
}
