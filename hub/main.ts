// `npm start`: one hub node. With nothing configured it runs on its own: embedded PostgreSQL,
// the in-process broker, a generated secret and admin token, and the demo district.
import { ConfigError, loadConfig } from './config.ts';
import { startHub } from './node.ts';
import { demoBundle } from './demo/district.ts';
import { mintToken } from './auth/mint.ts';
import { keepDevSecrets } from './dev-secrets.ts';
import { seedDemoContent } from './demo/content.ts';

async function main(): Promise<void> {
  let config;
  try {
    config = keepDevSecrets(loadConfig());
  } catch (e) {
    if (e instanceof ConfigError) {
      console.error(`[hub] configuration: ${e.message}`);
      process.exit(2);
    }
    throw e;
  }
  if (config.demo && !config.generated.jwtSecret && config.jwtSecret) {
    // Demo tokens are signed with the real secret: only the demo district's people get one
    // (hub/static.ts), but those people are then in this directory and anyone can act as them.
    console.warn('[hub] WARNING: HUB_DEMO=1 with a configured HUB_JWT_SECRET: /demo/token hands anyone a valid token for the demo district\'s people (never anyone else). Never run the demo with real data.');
  }
  const hub = await startHub({ config });
  console.log(`[hub] listening on ${hub.url} (WebSocket ${hub.url.replace(/^http/, 'ws')}/ws)`);
  if (config.generated.jwtSecret) console.log(`[hub] dev mode: HUB_JWT_SECRET=${config.generated.jwtSecret} (kept in ${config.dataDir}/dev-secrets.json)`);
  if (config.generated.adminToken) console.log(`[hub] dev mode: HUB_ADMIN_TOKEN=${config.generated.adminToken}`);
  if (config.generated.vapid) console.log(`[hub] dev mode: HUB_VAPID_PUBLIC_KEY=${config.generated.vapid.publicKey} (pair kept in ${config.dataDir}/dev-secrets.json)`);
  if (!config.push.vapid) console.log('[hub] Web Push off: set HUB_VAPID_PUBLIC_KEY, HUB_VAPID_PRIVATE_KEY and HUB_VAPID_SUBJECT to turn it on');
  if (!config.allowedOrigins) console.log('[hub] dev mode: any origin may connect (set HUB_ALLOWED_ORIGINS in production)');
  if (hub.mail.mailbox) console.log(`[hub] dev mode: no HUB_SMTP_URL, e-mail the hub would send is shown at ${hub.url}/demo/mailbox`);
  else if (!hub.mail.channel) console.log('[hub] e-mail notifications are off (set HUB_SMTP_URL, HUB_MAIL_FROM and HUB_PUBLIC_URL to send them)');

  if (config.demo) {
    // Seeded through the real import API, exactly as a school's system would.
    const res = await fetch(`${hub.url}/api/v1/directory/import`, {
      method: 'POST',
      headers: { authorization: `Bearer ${config.adminToken}`, 'content-type': 'application/json' },
      body: JSON.stringify(demoBundle()),
    });
    const body = await res.text();
    if (!res.ok) throw new Error(`demo import failed: ${res.status} ${body}`);
    console.log(`[hub] demo district imported: ${body}`);
    if (config.jwtSecret) {
      const problems = await seedDemoContent(hub.url, config.jwtSecret, { issuer: config.issuer, audience: config.audience });
      console.log(problems.length ? `[hub] demo content: ${problems.join('; ')}` : '[hub] demo content in place (posts, a mailing, an assignment, a conversation, feedback, an assessment, preschool documentation)');
      const token = await mintToken(config.jwtSecret, 'p-mentor-ek', { issuer: config.issuer, audience: config.audience });
      console.log(`[hub] demo token for the mentor p-mentor-ek (1 h): ${token}`);
    }
  }

  let stopping = false;
  const stop = (signal: string, drainMs: number) => {
    if (stopping) return;
    stopping = true;
    console.log(`[hub] ${signal}: draining connections over ${drainMs} ms`);
    hub.stop(drainMs).then(
      () => process.exit(process.exitCode ?? 0),
      (e) => {
        console.error('[hub] stop failed', e);
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', () => stop('SIGTERM', config.drainMs));
  process.on('SIGINT', () => stop('SIGINT', 0));
  // Last resort (docs/SECURITY.md "One request cannot end the process"). Every request and HTTP
  // route catches its own failures; what still gets here is a bug. A rejected promise changed
  // nothing half-way that other requests share, so the node logs it and keeps serving. A
  // synchronous exception may have left shared state half-changed (Node documents the process
  // as undefined then): the node logs it and drains, and its supervisor starts it again while
  // the clients resume elsewhere with their cursors.
  process.on('unhandledRejection', (reason) => console.error('[hub] unhandled rejection (kept running):', reason));
  process.on('uncaughtException', (e) => {
    console.error('[hub] uncaught exception; draining and exiting:', e);
    process.exitCode = 1;
    stop('uncaught exception', config.drainMs);
  });
}

main().catch((e) => {
  console.error('[hub] failed to start:', e instanceof Error ? e.message : e);
  process.exit(1);
});
