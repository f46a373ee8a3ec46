// Configuration from the environment (names fixed: portals and operators rely on them), in one zod schema: every
// variable with its default and meaning. The README's table is rendered from it
// (`configTable()`, checked by hub/config.test.ts). Every error is reported at once, so an
// operator fixes a deployment in one pass. Dev mode fills in what a single developer needs
// and says so; production settings are never invented silently.
import { randomBytes } from 'node:crypto';
import { z } from 'zod';
import { TrustedProxies } from './client-address.ts';

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
  /** How often this node looks for scheduled posts and mailings that are due (HUB_SCHEDULE_INTERVAL_MS); 0: never on this node. */
  scheduleIntervalMs: number;
  /** SIGTERM: close connections over this time (HUB_DRAIN_MS). */
  drainMs: number;
  /** Proxies whose X-Forwarded-For is believed (HUB_TRUSTED_PROXIES). */
  trustedProxies: TrustedProxies;
  /** Notifications (docs/NOTIFICATIONS.md): whether this node works the outbox, the grace period, the tries. */
  notify: NotifyConfig;
  /** Bounds of the attachment store (HUB_ATTACHMENT*). */
  attachments: AttachmentQuota;
  /** E-mail notifications (HUB_SMTP_URL, HUB_MAIL_FROM, HUB_PUBLIC_URL, HUB_UNSUBSCRIBE_SECRET). */
  mail: MailConfig;
  /** Secrets the hub made up itself (dev mode), to print at start. */
  generated: { jwtSecret?: string; adminToken?: string };
}

export interface AttachmentQuota {
  /** Uploads of one person not yet part of a documentation: at most this many… */
  pendingFiles: number;
  /** …and this many bytes. */
  pendingBytes: number;
  /** All attachments together, in bytes. */
  totalBytes: number;
  /** Uploads are refused when the disk would have less free space than this. */
  minFreeBytes: number;
}

export interface NotifyConfig {
  /** HUB_NOTIFY: this node derives, expands and sends notifications (when it has a channel). */
  worker: boolean;
  /** HUB_NOTIFY_GRACE_MS: a live read within this long makes a notice unnecessary. */
  graceMs: number;
  /** HUB_NOTIFY_MAX_TRIES: tries of one send before it is given up. */
  maxTries: number;
}

/** E-mail notifications (docs/NOTIFICATIONS.md, "E-mail"). */
export interface MailConfig {
  /** smtp:// or smtps:// URL; unset: no e-mail (in demo mode the dev mailbox keeps it instead). */
  smtpUrl: string | undefined;
  /** The From of every e-mail. */
  from: string;
  /** The hub's address as a mail reader's browser reaches it (unsubscribe links); unset: the hub's own URL (dev). */
  publicUrl: string | undefined;
  /** HUB_UNSUBSCRIBE_SECRET; unset: the key is derived from the JWT secret (hub/notify/unsubscribe-token.ts). */
  unsubscribeSecret: string | undefined;
}

export class ConfigError extends Error {}

/** The From of the dev mailbox when HUB_MAIL_FROM is unset (a reserved domain: never deliverable). */
export const DEV_MAIL_FROM = 'schoolhub <noreply@schoolhub.invalid>';


export interface LinkPatterns {
  plan?: string | undefined;
  assignment?: string | undefined;
  conference?: string | undefined;
}

const MiB = 1024 * 1024;
const GiB = 1024 * MiB;

// Unset and empty mean the same: compose files and shells write `VAR=` for "not set".
const optionalText = z.string().optional().transform((v) => (v === undefined || v === '' ? undefined : v));

function integer(dflt: number, min: number, max: number, what: string) {
  return optionalText.transform((v, ctx) => {
    if (v === undefined) return dflt;
    const n = /^\d+$/.test(v) ? Number(v) : NaN;
    if (Number.isSafeInteger(n) && n >= min && n <= max) return n;
    ctx.addIssue({ code: 'custom', message: `must be ${what}` });
    return z.NEVER;
  });
}

function linkPattern() {
  return optionalText.pipe(
    z.string()
      .refine((s) => s.includes('{id}'), 'must contain {id}, e.g. https://portal.example/plans/{id}')
      // Links go into every participant's frames: only web pages of the portal, never script.
      .refine((s) => /^(https?:\/\/|\/)/i.test(s), 'must be an http(s) URL or a path starting with /')
      .optional(),
  );
}

interface Documented {
  schema: z.ZodType<unknown, string | undefined>;
  /** The default as the README says it (some depend on other variables). */
  default: string;
  meaning: string;
}

const DOC_DEV = 'dev mode: generated and printed';

/** Every variable: its schema, its documented default and its meaning, in the README's order. */
export const ENV = {
  PORT: {
    schema: integer(8080, 0, 65535, 'a port number (0 to 65535)'),
    default: '`8080`',
    meaning: 'the port the hub listens on (an exclusive port: a second process cannot silently share it); `0`: any free port',
  },
  HOST: { schema: optionalText.transform((v) => v ?? '127.0.0.1'), default: '`127.0.0.1`', meaning: 'the address the hub listens on (`0.0.0.0` in a container)' },
  DATABASE_URL: {
    schema: optionalText,
    default: 'unset → embedded PostgreSQL in `HUB_DATA_DIR`',
    meaning: 'external PostgreSQL, e.g. `postgres://user:pw@db:5432/schoolhub`; migrations run at start under an advisory lock',
  },
  HUB_DATA_DIR: {
    schema: optionalText.transform((v) => v ?? './.data'),
    default: '`./.data`',
    meaning: 'embedded database files, dev secrets, and uploaded attachments of preschool documentation (`attachments/`, one file per attachment; several nodes must share this folder, e.g. one volume)',
  },
  REDIS_URL: {
    schema: optionalText,
    default: 'unset → in-process broker (one node)',
    meaning: 'Redis for several nodes: `redis://[:password@]host:6379[/db]`, or `redis+cluster://host:port,host:port` for Redis Cluster (sharded pub/sub)',
  },
  HUB_REDIS_PREFIX: { schema: optionalText.transform((v) => v ?? 'schoolhub:'), default: '`schoolhub:`', meaning: 'prefix of the Redis channel names, so that several deployments share one Redis' },
  HUB_JWT_SECRET: {
    schema: optionalText.pipe(z.string().min(32, 'must be at least 32 characters').optional()),
    default: DOC_DEV,
    meaning: 'HS256 secret shared with the portal (at least 32 characters)',
  },
  HUB_JWT_JWKS_URL: { schema: optionalText, default: 'unset', meaning: "verify tokens with the portal's JWKS (RS/PS/ES/EdDSA) instead" },
  HUB_JWT_ISSUER: { schema: optionalText.transform((v) => v ?? 'schoolhub-dev'), default: '`schoolhub-dev`', meaning: 'required `iss` of tokens' },
  HUB_JWT_AUDIENCE: { schema: optionalText.transform((v) => v ?? 'schoolhub'), default: '`schoolhub`', meaning: 'required `aud` of tokens' },
  HUB_ADMIN_TOKEN: {
    schema: optionalText,
    default: DOC_DEV,
    meaning: 'bearer token of the directory import API and the privacy admin API (audit log, export, legal holds, guardian blocks: `docs/PROTOCOL.md` §8)',
  },
  HUB_ALLOWED_ORIGINS: {
    schema: optionalText.transform((v) => (v === undefined ? undefined : v.split(',').map((o) => o.trim()).filter(Boolean))),
    default: 'dev mode: any',
    meaning: 'comma-separated origins allowed to open a WebSocket or call the API',
  },
  HUB_DEMO: {
    schema: optionalText.pipe(z.enum(['0', '1', 'true', 'false'], 'must be 0, 1, true or false').optional()),
    default: 'when none of `DATABASE_URL`, `REDIS_URL`, `HUB_JWT_SECRET`, `HUB_JWT_JWKS_URL` is set: `1`, else `0`',
    meaning: 'import the demo district and serve `/demo/`, whose token endpoint mints tokens only for the demo district\'s people; with a configured secret the hub warns at start (`docs/SECURITY.md`)',
  },
  HUB_DRAIN_MS: {
    schema: integer(10_000, 0, 3_600_000, 'a number of milliseconds (0 to 3600000)'),
    default: '`10000`',
    meaning: 'on SIGTERM, close connections with 1001 spread over this time, then exit',
  },
  HUB_RETENTION_INTERVAL_MS: {
    // Below 100 ms the job would only compete with itself for the lock.
    schema: integer(3_600_000, 0, 2 ** 31 - 1, '0 (off on this node) or at least 100').pipe(z.number().refine((n) => n === 0 || n >= 100, 'must be 0 (off on this node) or at least 100')),
    default: '`3600000`',
    meaning: "how often this node tries the retention job (deletes what is older than a district's `retentionDays`, except under legal hold; one node at a time by an advisory lock); `0`: never on this node, at least `100` otherwise",
  },
  HUB_SCHEDULE_INTERVAL_MS: {
    schema: integer(1_000, 0, 3_600_000, '0 (off on this node) or at least 50').pipe(z.number().refine((n) => n === 0 || n >= 50, 'must be 0 (off on this node) or at least 50')),
    default: '`1000`',
    meaning: 'how often this node looks for scheduled posts and mailings that are due and publishes them (each once, whichever node takes it first); a post appears at most this long after its time while any node runs; `0`: never on this node',
  },
  HUB_LINK_PLAN: { schema: linkPattern(), default: 'unset → no link', meaning: "the portal's page of a plan, with `{id}` where the id goes, e.g. `https://portal.example/plans/{id}` (an http(s) URL or a path starting with `/`; anything else stops the hub at start); the hub adds it as `link` to a conversation's and every message's `context`" },
  HUB_LINK_ASSIGNMENT: { schema: linkPattern(), default: 'unset → no link', meaning: "the portal's page of an assignment, as `HUB_LINK_PLAN`" },
  HUB_LINK_CONFERENCE: { schema: linkPattern(), default: 'unset → no link', meaning: "the portal's page of a development conference, as `HUB_LINK_PLAN`" },
  HUB_TRUSTED_PROXIES: {
    schema: optionalText.transform((v, ctx) => {
      try {
        return TrustedProxies.parse(v ?? '');
      } catch (e) {
        ctx.addIssue({ code: 'custom', message: (e as Error).message });
        return z.NEVER;
      }
    }),
    default: 'unset → none',
    meaning: "comma-separated addresses and CIDR ranges (IPv4, IPv6) of the proxies in front of the hub, e.g. `10.0.0.0/8,fd00::/8`. From a listed proxy the client address (what every per-address limit counts) is taken from `X-Forwarded-For`, read right to left past listed proxies; from anyone else the header is ignored. `/metrics` is never answered to a forwarded request",
  },
  HUB_NOTIFY: {
    schema: optionalText.pipe(z.enum(['0', '1', 'true', 'false'], 'must be 0, 1, true or false').optional()),
    default: 'on',
    meaning: 'whether this node works the notification outbox (derives notices from events, expands audiences, sends through the configured push and e-mail channels; `docs/NOTIFICATIONS.md`); every node may, they share the work through PostgreSQL; `0`: not this node',
  },
  HUB_NOTIFY_GRACE_MS: {
    schema: integer(30_000, 0, 86_400_000, 'a number of milliseconds (0 to 86400000)'),
    default: '`30000`',
    meaning: 'a message, post or mailing that the person reads in the widgets within this long is not pushed or mailed (urgent posts do not wait)',
  },
  HUB_NOTIFY_MAX_TRIES: {
    schema: integer(8, 1, 100, 'a whole number from 1 to 100'),
    default: '`8`',
    meaning: 'tries of one notification (backoff from 5 s doubling, or the push service\'s `Retry-After`) before it is given up; a given-up notification is kept in the outbox with its reason and counted in `/metrics`',
  },
  HUB_ATTACHMENT_PENDING_FILES: {
    schema: integer(50, 1, 1_000_000, 'a whole number of at least 1'),
    default: '`50`',
    meaning: 'uploads one person may hold that are not yet part of a documentation (they are removed after 24 h); the next upload is refused with 429 `quota_exceeded`',
  },
  HUB_ATTACHMENT_PENDING_BYTES: {
    schema: integer(200 * MiB, 1, Number.MAX_SAFE_INTEGER, 'a whole number of bytes of at least 1'),
    default: `\`${200 * MiB}\` (200 MiB)`,
    meaning: 'the bytes of those pending uploads of one person, likewise',
  },
  HUB_ATTACHMENTS_MAX_BYTES: {
    schema: integer(20 * GiB, 1, Number.MAX_SAFE_INTEGER, 'a whole number of bytes of at least 1'),
    default: `\`${20 * GiB}\` (20 GiB)`,
    meaning: 'all attachments together; an upload beyond it is refused with 507 `storage_full`',
  },
  HUB_ATTACHMENTS_MIN_FREE_BYTES: {
    schema: integer(2 * GiB, 0, Number.MAX_SAFE_INTEGER, 'a whole number of bytes'),
    default: `\`${2 * GiB}\` (2 GiB)`,
    meaning: "free space an upload must leave on the attachments' disk (which the embedded database may share); below it uploads are refused with 507 `disk_full`, long before the database runs out",
  },
  HUB_SMTP_URL: {
    schema: optionalText.pipe(z.string().regex(/^smtps?:\/\/[^\s]+$/i, 'must be an smtp:// or smtps:// URL, e.g. smtp://user:pw@mail.example:587').optional()),
    default: 'unset → no e-mail (dev mode: the mailbox at `/demo/mailbox`)',
    meaning: 'the SMTP server e-mail notifications go through, e.g. `smtp://user:pw@mail.example:587` (STARTTLS when offered) or `smtps://…:465`; connections are pooled (`?maxConnections=5`, `?pool=false`). Needs `HUB_MAIL_FROM` and `HUB_PUBLIC_URL`',
  },
  HUB_MAIL_FROM: {
    // The From is a header: no line breaks (header injection), kept short.
    schema: optionalText.pipe(z.string().max(300).regex(/^[^\r\n\0]+@[^\r\n\0]+$/, 'must be an address, e.g. schoolhub <noreply@school.example>, without line breaks').optional()),
    default: `unset → \`${DEV_MAIL_FROM}\` in the dev mailbox; required with \`HUB_SMTP_URL\``,
    meaning: 'the sender of every e-mail, e.g. `Ekskolan via schoolhub <noreply@school.example>`',
  },
  HUB_PUBLIC_URL: {
    schema: optionalText.pipe(z.string().max(500).regex(/^https?:\/\/[^\s/?#]+(\/[^\s?#]*)?$/i, 'must be the http(s) address the hub is reached at, e.g. https://hub.school.example or https://school.example/hub').optional()),
    default: 'unset → the address the hub listens on (dev); required with `HUB_SMTP_URL`',
    meaning: "the hub's address as a reader's browser reaches it (with the proxy's path prefix, if any), for the one-click unsubscribe links of e-mail (`https://` for mail providers to honour them)",
  },
  HUB_UNSUBSCRIBE_SECRET: {
    schema: optionalText.pipe(z.string().min(32, 'must be at least 32 characters').optional()),
    default: 'unset → derived from `HUB_JWT_SECRET`',
    meaning: 'signs the unsubscribe links of e-mail (HS256, one person and one kind, 90 days). Unset, a key is derived from `HUB_JWT_SECRET` under a label of its own; required with `HUB_SMTP_URL` when tokens are checked by `HUB_JWT_JWKS_URL`. Changing it ends the links already sent',
  },
} as const satisfies Record<string, Documented>;

type Env = typeof ENV;
const envSchema = z.object(Object.fromEntries(Object.entries(ENV).map(([k, v]) => [k, v.schema.describe(v.meaning)])) as { [K in keyof Env]: Env[K]['schema'] });

const SECRET = new Set(['HUB_JWT_SECRET', 'HUB_ADMIN_TOKEN', 'DATABASE_URL', 'REDIS_URL', 'HUB_SMTP_URL', 'HUB_UNSUBSCRIBE_SECRET']);

/** The README's table of variables, from the schema. */
export function configTable(): string {
  const rows = Object.entries(ENV).map(([name, v]) => `| \`${name}\` | ${v.default} | ${v.meaning} |`);
  return ['| variable | default | meaning |', '|---|---|---|', ...rows].join('\n');
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): HubConfig {
  const raw = Object.fromEntries(Object.keys(ENV).map((k) => [k, env[k]]));
  const parsed = envSchema.safeParse(raw);
  if (!parsed.success) {
    const all = parsed.error.issues.map((i) => {
      const name = String(i.path[0] ?? '');
      // Secrets and URLs with passwords are never echoed into logs.
      const shown = env[name] !== undefined && !SECRET.has(name) ? ` (got ${JSON.stringify(env[name])})` : '';
      return `${name} ${i.message}${shown}`;
    });
    throw new ConfigError(all.join('; '));
  }
  const e = parsed.data;
  const generated: HubConfig['generated'] = {};
  let secret = e.HUB_JWT_SECRET;
  if (!secret && !e.HUB_JWT_JWKS_URL) secret = generated.jwtSecret = randomBytes(32).toString('base64url');
  let adminToken = e.HUB_ADMIN_TOKEN;
  if (!adminToken) adminToken = generated.adminToken = randomBytes(24).toString('base64url');
  // What e-mail needs besides its server; all of it reported at once, like the schema's errors.
  const missing: string[] = [];
  if (e.HUB_SMTP_URL) {
    if (!e.HUB_MAIL_FROM) missing.push('HUB_MAIL_FROM is required with HUB_SMTP_URL');
    if (!e.HUB_PUBLIC_URL) missing.push('HUB_PUBLIC_URL is required with HUB_SMTP_URL (the unsubscribe links point at it)');
    if (!e.HUB_UNSUBSCRIBE_SECRET && !secret) missing.push('HUB_UNSUBSCRIBE_SECRET is required with HUB_SMTP_URL when there is no HUB_JWT_SECRET to derive it from');
  }
  if (missing.length > 0) throw new ConfigError(missing.join('; '));
  const nothingExternal = !e.DATABASE_URL && !e.REDIS_URL && !e.HUB_JWT_SECRET && !e.HUB_JWT_JWKS_URL;
  return {
    port: e.PORT,
    host: e.HOST,
    databaseUrl: e.DATABASE_URL,
    dataDir: e.HUB_DATA_DIR,
    redisUrl: e.REDIS_URL,
    redisPrefix: e.HUB_REDIS_PREFIX,
    jwtSecret: secret,
    jwksUrl: e.HUB_JWT_JWKS_URL,
    issuer: e.HUB_JWT_ISSUER,
    audience: e.HUB_JWT_AUDIENCE,
    adminToken,
    allowedOrigins: e.HUB_ALLOWED_ORIGINS,
    demo: e.HUB_DEMO === undefined ? nothingExternal : e.HUB_DEMO === '1' || e.HUB_DEMO === 'true',
    links: { plan: e.HUB_LINK_PLAN, assignment: e.HUB_LINK_ASSIGNMENT, conference: e.HUB_LINK_CONFERENCE },
    retentionIntervalMs: e.HUB_RETENTION_INTERVAL_MS,
    scheduleIntervalMs: e.HUB_SCHEDULE_INTERVAL_MS,
    drainMs: e.HUB_DRAIN_MS,
    trustedProxies: e.HUB_TRUSTED_PROXIES,
    notify: { worker: e.HUB_NOTIFY === undefined || e.HUB_NOTIFY === '1' || e.HUB_NOTIFY === 'true', graceMs: e.HUB_NOTIFY_GRACE_MS, maxTries: e.HUB_NOTIFY_MAX_TRIES },
    attachments: {
      pendingFiles: e.HUB_ATTACHMENT_PENDING_FILES,
      pendingBytes: e.HUB_ATTACHMENT_PENDING_BYTES,
      totalBytes: e.HUB_ATTACHMENTS_MAX_BYTES,
      minFreeBytes: e.HUB_ATTACHMENTS_MIN_FREE_BYTES,
    },
    mail: {
      smtpUrl: e.HUB_SMTP_URL,
      from: e.HUB_MAIL_FROM ?? DEV_MAIL_FROM,
      publicUrl: e.HUB_PUBLIC_URL?.replace(/\/+$/, ''),
      unsubscribeSecret: e.HUB_UNSUBSCRIBE_SECRET,
    },
    generated,
  };
}
