// Configuration from the environment (every variable is in the README's table). Dev mode fills in what a
// single developer needs and says so; production settings are never invented silently.
import { randomBytes } from 'node:crypto';

export interface HubConfig {
  port: number;
  host: string;
  databaseUrl: string | undefined;
  dataDir: string;
  redisUrl: string | undefined;
  /** Prefix of the Redis channel names (HUB_REDIS_PREFIX), to share one Redis. */
  redisPrefix: string;
  jwtSecret: string | undefined;
  jwksUrl: string | undefined;
  issuer: string;
  audience: string;
  adminToken: string;
  /** undefined: any origin (dev mode). */
  allowedOrigins: string[] | undefined;
  demo: boolean;
  /** The portal's page of a plan, an assignment, a conference (HUB_LINK_*), with `{id}`; unset: no link. */
  links: LinkPatterns;
  /** How often this node tries the retention job (HUB_RETENTION_INTERVAL_MS); 0: never on this node. */
  retentionIntervalMs: number;
  /** Secrets the hub made up itself (dev mode), to print at start. */
  generated: { jwtSecret?: string; adminToken?: string };
}

export class ConfigError extends Error {}

export interface LinkPatterns {
  plan?: string | undefined;
  assignment?: string | undefined;
  conference?: string | undefined;
}

function linkPattern(env: NodeJS.ProcessEnv, name: string): string | undefined {
  const raw = env[name];
  if (raw === undefined || raw === '') return undefined;
  if (!raw.includes('{id}')) throw new ConfigError(`${name} must contain {id}, e.g. https://portal.example/plans/{id}`);
  // Links go into every participant's frames: only web pages of the portal, never script.
  if (!/^(https?:\/\/|\/)/i.test(raw)) throw new ConfigError(`${name} must be an http(s) URL or a path starting with /`);
  return raw;
}

function int(env: NodeJS.ProcessEnv, name: string, dflt: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return dflt;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 0 || n > 65535) throw new ConfigError(`${name} must be a port number, got ${raw}`);
  return n;
}

function retentionInterval(env: NodeJS.ProcessEnv): number {
  const raw = env.HUB_RETENTION_INTERVAL_MS;
  if (raw === undefined || raw === '') return 3_600_000;
  const n = Number(raw);
  // Below 100 ms the job would only compete with itself for the lock.
  if (!Number.isInteger(n) || (n !== 0 && n < 100)) throw new ConfigError(`HUB_RETENTION_INTERVAL_MS must be 0 (off on this node) or at least 100, got ${raw}`);
  return n;
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): HubConfig {
  const nonEmpty = (name: string) => (env[name] === undefined || env[name] === '' ? undefined : env[name]);
  const jwtSecret = nonEmpty('HUB_JWT_SECRET');
  const jwksUrl = nonEmpty('HUB_JWT_JWKS_URL');
  const databaseUrl = nonEmpty('DATABASE_URL');
  const redisUrl = nonEmpty('REDIS_URL');
  const generated: HubConfig['generated'] = {};
  if (jwtSecret !== undefined && jwtSecret.length < 32) throw new ConfigError('HUB_JWT_SECRET must be at least 32 characters');
  let secret = jwtSecret;
  if (!secret && !jwksUrl) secret = generated.jwtSecret = randomBytes(32).toString('base64url');
  let adminToken = nonEmpty('HUB_ADMIN_TOKEN');
  if (!adminToken) adminToken = generated.adminToken = randomBytes(24).toString('base64url');
  const origins = nonEmpty('HUB_ALLOWED_ORIGINS');
  const nothingExternal = !databaseUrl && !redisUrl && !jwtSecret && !jwksUrl;
  const demoRaw = nonEmpty('HUB_DEMO');
  return {
    port: int(env, 'PORT', 8080),
    host: nonEmpty('HOST') ?? '127.0.0.1',
    databaseUrl,
    dataDir: nonEmpty('HUB_DATA_DIR') ?? './.data',
    redisUrl,
    redisPrefix: nonEmpty('HUB_REDIS_PREFIX') ?? 'schoolhub:',
    jwtSecret: secret,
    jwksUrl,
    issuer: nonEmpty('HUB_JWT_ISSUER') ?? 'schoolhub-dev',
    audience: nonEmpty('HUB_JWT_AUDIENCE') ?? 'schoolhub',
    adminToken,
    allowedOrigins: origins ? origins.split(',').map((o) => o.trim()).filter(Boolean) : undefined,
    demo: demoRaw === undefined ? nothingExternal : demoRaw === '1' || demoRaw === 'true',
    links: {
      plan: linkPattern(env, 'HUB_LINK_PLAN'),
      assignment: linkPattern(env, 'HUB_LINK_ASSIGNMENT'),
      conference: linkPattern(env, 'HUB_LINK_CONFERENCE'),
    },
    retentionIntervalMs: retentionInterval(env),
    generated,
  };
}
