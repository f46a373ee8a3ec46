// Configuration from the environment (names fixed: portals and operators rely on them), in one zod schema: every
// variable with its default and meaning. The README's table is rendered from it
// (`configTable()`, checked by hub/config.test.ts). Every error is reported at once, so an
// operator fixes a deployment in one pass. Dev mode fills in what a single developer needs
// and says so; production settings are never invented silently.
import { createECDH, randomBytes } from 'node:crypto';
import { z } from 'zod';
import webPush from 'web-push';
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
  /** Web Push (HUB_VAPID_*, HUB_PUSH_*, HUB_NOTIFY_LINK): docs/NOTIFICATIONS.md "Web Push". */
  push: PushConfig;
  /** E-mail notifications (HUB_SMTP_URL, HUB_MAIL_FROM, HUB_PUBLIC_URL, HUB_UNSUBSCRIBE_SECRET). */
  mail: MailConfig;
  /** Secrets the hub made up itself (dev mode), to print at start. */
  generated: { jwtSecret?: string; adminToken?: string; vapid?: VapidKeys };
}

/** The hub's VAPID identity (RFC 8292): base64url P-256 keys and the contact subject. */
export interface VapidKeys {
  publicKey: string;
  privateKey: string;
}

export interface PushConfig {
  /** null: Web Push is off (no keys configured outside dev mode). */
  vapid: (VapidKeys & { subject: string }) | null;
  /** Push service hosts the hub will POST to: exact names, or `*.domain` for any name below it. */
  allowedHosts: readonly string[];
  /** Tests only: endpoints on loopback addresses (http or https) pass the guard. Refused unless NODE_ENV=test. */
  allowLoopback: boolean;
  /** The page a notification opens: a pattern with `{id}` (and optionally `{kind}`); unset: the portal's root. */
  link: string | undefined;
}

/** The push services of the browsers in use (Chrome/Edge-Chromium, Firefox, Edge legacy/Windows, Safari). */
export const DEFAULT_PUSH_HOSTS = ['fcm.googleapis.com', 'updates.push.services.mozilla.com', '*.notify.windows.com', 'web.push.apple.com'] as const;
/** The subject dev mode puts in its VAPID tokens when HUB_VAPID_SUBJECT is unset. */
export const DEV_VAPID_SUBJECT = 'mailto:schoolhub-dev@example.invalid';

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

function base64urlBytes(bytes: number, what: string) {
  return optionalText.pipe(
    z.string()
      .regex(/^[A-Za-z0-9_-]+$/, `must be base64url (no padding): ${what}`)
      .refine((k) => Buffer.from(k, 'base64url').length === bytes, `must decode to ${bytes} bytes: ${what}`)
      .optional(),
  );
}

const HOST_PATTERN = /^(\*\.)?([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)*[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/;

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
    meaning: 'all attachments together; an upload beyond it is refused with 507 `storage_full`. Each node reads the sum at most every 10 s and adds its own uploads, so other nodes\' uploads of those seconds may pass it, and room made by deletions shows up to 10 s later',
  },
  HUB_ATTACHMENTS_MIN_FREE_BYTES: {
    schema: integer(2 * GiB, 0, Number.MAX_SAFE_INTEGER, 'a whole number of bytes'),
    default: `\`${2 * GiB}\` (2 GiB)`,
    meaning: "free space an upload must leave on the attachments' disk (which the embedded database may share); below it uploads are refused with 507 `disk_full`, long before the database runs out",
  },
  HUB_VAPID_PUBLIC_KEY: {
    schema: base64urlBytes(65, 'an uncompressed P-256 point (`npx web-push generate-vapid-keys`)')
      .refine((k) => k === undefined || Buffer.from(k, 'base64url')[0] === 4, 'must be an uncompressed P-256 point (first byte 0x04)'),
    default: 'dev mode: generated and kept; else unset → Web Push off',
    meaning: "the hub's VAPID public key (RFC 8292, base64url), which browsers subscribe with (`npx web-push generate-vapid-keys` makes a pair); set with `HUB_VAPID_PRIVATE_KEY` and `HUB_VAPID_SUBJECT`",
  },
  HUB_VAPID_PRIVATE_KEY: {
    schema: base64urlBytes(32, 'a P-256 private key'),
    default: 'as `HUB_VAPID_PUBLIC_KEY`',
    meaning: 'its private key (base64url, 32 bytes); it must belong to the public key',
  },
  HUB_VAPID_SUBJECT: {
    schema: optionalText.pipe(z.string().regex(/^(mailto:[^\s@]+@[^\s@]+|https:\/\/\S+)$/, 'must be a mailto: address or an https: URL').optional()),
    default: `dev mode: \`${DEV_VAPID_SUBJECT}\``,
    meaning: "how a push service reaches the operator: `mailto:` address or `https:` URL, in every VAPID token (required with the keys)",
  },
  HUB_PUSH_ALLOWED_HOSTS: {
    schema: optionalText.transform((v, ctx) => {
      if (v === undefined) return [...DEFAULT_PUSH_HOSTS];
      const hosts = v.split(',').map((h) => h.trim().toLowerCase()).filter(Boolean);
      const bad = hosts.filter((h) => !HOST_PATTERN.test(h));
      if (hosts.length === 0 || bad.length > 0) {
        ctx.addIssue({ code: 'custom', message: `must be comma-separated host names, \`*.domain\` for any name below domain${bad.length ? `; not a host: ${bad.join(', ')}` : ''}` });
        return z.NEVER;
      }
      return hosts;
    }),
    default: `\`${DEFAULT_PUSH_HOSTS.join(',')}\` (the push services of Chrome, Edge, Firefox and Safari)`,
    meaning: 'the push services the hub will POST to (comma-separated; `*.domain` matches any name below domain). A subscription elsewhere is refused with `refused`, and so is one whose host resolves to a loopback, private, link-local or other non-public address (`docs/SECURITY.md`)',
  },
  HUB_PUSH_ALLOW_LOOPBACK: {
    schema: optionalText.pipe(z.enum(['0', '1', 'true', 'false'], 'must be 0, 1, true or false').optional()),
    default: 'unset → off',
    meaning: 'tests only: push endpoints on loopback addresses (http or https) pass the guard. The hub refuses to start with it unless `NODE_ENV=test`',
  },
  HUB_NOTIFY_LINK: {
    schema: linkPattern(),
    default: "unset → the portal's root",
    meaning: "the portal's page a notification opens, with `{id}` (and `{kind}`: `conversation`, `post`, `mailing`, `item`, `development`), e.g. `https://portal.example/schoolhub/{kind}/{id}`; a path is taken on the portal's origin",
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
  NODE_ENV: {
    schema: optionalText,
    default: 'unset',
    meaning: '`test` lets `HUB_PUSH_ALLOW_LOOPBACK` through; the hub reads it for nothing else',
  },
} as const satisfies Record<string, Documented>;

type Env = typeof ENV;
const envSchema = z.object(Object.fromEntries(Object.entries(ENV).map(([k, v]) => [k, v.schema.describe(v.meaning)])) as { [K in keyof Env]: Env[K]['schema'] });

const SECRET = new Set(['HUB_JWT_SECRET', 'HUB_ADMIN_TOKEN', 'DATABASE_URL', 'REDIS_URL', 'HUB_SMTP_URL', 'HUB_UNSUBSCRIBE_SECRET', 'HUB_VAPID_PRIVATE_KEY']);

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
  const nothingExternal = !e.DATABASE_URL && !e.REDIS_URL && !e.HUB_JWT_SECRET && !e.HUB_JWT_JWKS_URL;
  const push = pushConfig(e, generated, missing);
  if (missing.length > 0) throw new ConfigError(missing.join('; '));
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
    push,
    mail: {
      smtpUrl: e.HUB_SMTP_URL,
      from: e.HUB_MAIL_FROM ?? DEV_MAIL_FROM,
      publicUrl: e.HUB_PUBLIC_URL?.replace(/\/+$/, ''),
      unsubscribeSecret: e.HUB_UNSUBSCRIBE_SECRET,
    },
    generated,
  };
}

type Parsed = z.infer<typeof envSchema>;

/**
 * VAPID keys: all three variables or none. None: dev mode (no JWT secret or JWKS configured)
 * makes a pair up (kept by hub/dev-secrets.ts); anywhere else Web Push is off.
 */
function pushConfig(e: Parsed, generated: HubConfig['generated'], problems: string[]): PushConfig {
  const allowLoopback = e.HUB_PUSH_ALLOW_LOOPBACK === '1' || e.HUB_PUSH_ALLOW_LOOPBACK === 'true';
  if (allowLoopback && e.NODE_ENV !== 'test') problems.push('HUB_PUSH_ALLOW_LOOPBACK is for tests only: the hub refuses to start with it unless NODE_ENV=test');
  const common = { allowedHosts: e.HUB_PUSH_ALLOWED_HOSTS, allowLoopback, link: e.HUB_NOTIFY_LINK };
  const given = [e.HUB_VAPID_PUBLIC_KEY, e.HUB_VAPID_PRIVATE_KEY].filter((v) => v !== undefined).length;
  if (given === 0) {
    const devMode = !e.HUB_JWT_SECRET && !e.HUB_JWT_JWKS_URL;
    if (!devMode) return { ...common, vapid: null };
    const keys = (generated.vapid = webPush.generateVAPIDKeys());
    return { ...common, vapid: { ...keys, subject: e.HUB_VAPID_SUBJECT ?? DEV_VAPID_SUBJECT } };
  }
  if (given === 1 || !e.HUB_VAPID_SUBJECT) {
    problems.push('HUB_VAPID_PUBLIC_KEY, HUB_VAPID_PRIVATE_KEY and HUB_VAPID_SUBJECT go together: set all three or none');
    return { ...common, vapid: null };
  }
  const publicKey = e.HUB_VAPID_PUBLIC_KEY!;
  const privateKey = e.HUB_VAPID_PRIVATE_KEY!;
  if (!keyPairMatches(publicKey, privateKey)) problems.push('HUB_VAPID_PRIVATE_KEY does not belong to HUB_VAPID_PUBLIC_KEY');
  return { ...common, vapid: { publicKey, privateKey, subject: e.HUB_VAPID_SUBJECT } };
}

/** Whether the private key's public point is the configured public key (a pasted mismatch fails at start, not at the first push). */
function keyPairMatches(publicKey: string, privateKey: string): boolean {
  try {
    const ecdh = createECDH('prime256v1');
    ecdh.setPrivateKey(Buffer.from(privateKey, 'base64url'));
    return ecdh.getPublicKey().equals(Buffer.from(publicKey, 'base64url'));
  } catch {
    return false;
  }
}
