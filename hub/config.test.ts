// The environment has one schema (hub/config.ts), and the README's table is that schema.
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { ConfigError, ENV, configTable, loadConfig } from './config.ts';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

function sources(dir: string): string[] {
  return readdirSync(path.join(ROOT, dir), { withFileTypes: true, recursive: true })
    .filter((f) => f.isFile() && f.name.endsWith('.ts') && !f.name.endsWith('.test.ts'))
    .map((f) => path.join(f.parentPath, f.name))
    .filter((f) => !f.includes(`${path.sep}testing${path.sep}`) && !f.includes(`${path.sep}e2e${path.sep}`));
}

describe('configuration', () => {
  it("the README's table of variables is the schema's, names, defaults and meanings", () => {
    const readme = readFileSync(path.join(ROOT, 'README.md'), 'utf8');
    const m = /<!-- config-table[^>]*-->\n([\s\S]*?)\n<!-- \/config-table -->/.exec(readme);
    expect(m, 'README.md has the config-table markers').not.toBeNull();
    // On a difference: paste configTable()'s output between the markers.
    expect(m![1]).toBe(configTable());
  });

  it('every literal default the README states is what the schema gives for an unset variable', () => {
    for (const [name, v] of Object.entries(ENV)) {
      const literal = /^`([^`]*)`/.exec(v.default);
      if (!literal) continue;
      expect(String(v.schema.parse(undefined)), name).toBe(literal[1]);
      expect(String(v.schema.parse('')), `${name} empty`).toBe(literal[1]);
    }
  });

  it('no code outside hub/config.ts reads the environment', () => {
    const readers = [...sources('hub'), ...sources('storage')]
      .filter((f) => !f.endsWith(`hub${path.sep}config.ts`) && /process\.env\b/.test(readFileSync(f, 'utf8')))
      .map((f) => path.relative(ROOT, f));
    expect(readers).toEqual([]);
  });

  it('reports every error in one message, without echoing secrets', () => {
    let error: unknown;
    try {
      loadConfig({
        PORT: 'eighty', HUB_DRAIN_MS: '-5', HUB_JWT_SECRET: 'short-secret', HUB_TRUSTED_PROXIES: '10.0.0.0/8,not-an-ip,10.0.0.0/33',
        HUB_ATTACHMENT_PENDING_FILES: '0', HUB_DEMO: 'yes', HUB_LINK_PLAN: 'javascript:{id}',
      });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const message = (error as Error).message;
    for (const name of ['PORT', 'HUB_DRAIN_MS', 'HUB_JWT_SECRET', 'HUB_TRUSTED_PROXIES', 'HUB_ATTACHMENT_PENDING_FILES', 'HUB_DEMO', 'HUB_LINK_PLAN']) {
      expect(message).toContain(name);
    }
    expect(message).toContain('not-an-ip');
    expect(message).toContain('10.0.0.0/33');
    expect(message).not.toContain('short-secret');
  });

  it('parses what operators write', () => {
    const c = loadConfig({ HUB_DRAIN_MS: '2500', HUB_TRUSTED_PROXIES: ' 10.0.0.0/8, fd00::/8 ,192.168.1.7', HUB_ATTACHMENTS_MAX_BYTES: '1000', PORT: '' });
    expect(c.drainMs).toBe(2500);
    expect(c.port).toBe(8080);
    expect(c.attachments.totalBytes).toBe(1000);
    expect(c.trustedProxies.has('10.1.2.3')).toBe(true);
    expect(c.trustedProxies.has('fd12::1')).toBe(true);
    expect(c.trustedProxies.has('192.168.1.7')).toBe(true);
    expect(c.trustedProxies.has('192.168.1.8')).toBe(false);
  });

  it('Web Push: keys go together and must be a pair; dev mode makes a pair; loopback only under NODE_ENV=test', () => {
    const pair = { HUB_VAPID_PUBLIC_KEY: 'BEwvr0CW6ggi59DZfb7UtEhms1NNBMldFnB9SNlrP7UmWRVlpC-uDmSNrJ3CHcs8gq9HtD_XSJlBmxjl_jnoPCM', HUB_VAPID_PRIVATE_KEY: 'b8-zQ42RQ52qxE3002unO3pLc3XWToRK3_pWTfGfs2A' };
    expect(() => loadConfig({ ...pair, HUB_JWT_SECRET: 'x'.repeat(32) })).toThrow(/go together/);
    expect(() => loadConfig({ HUB_VAPID_PUBLIC_KEY: pair.HUB_VAPID_PUBLIC_KEY, HUB_VAPID_SUBJECT: 'mailto:ops@example.org' })).toThrow(/go together/);
    expect(() => loadConfig({ ...pair, HUB_VAPID_PUBLIC_KEY: 'short', HUB_VAPID_SUBJECT: 'mailto:ops@example.org' })).toThrow(/HUB_VAPID_PUBLIC_KEY must decode to 65 bytes/);
    let message = '';
    try {
      loadConfig({ ...pair, HUB_VAPID_PRIVATE_KEY: 'A'.repeat(43), HUB_VAPID_SUBJECT: 'mailto:ops@example.org', HUB_PUSH_ALLOW_LOOPBACK: '1' });
    } catch (e) {
      message = (e as Error).message;
    }
    expect(message).toMatch(/does not belong to HUB_VAPID_PUBLIC_KEY/);
    expect(message).toMatch(/HUB_PUSH_ALLOW_LOOPBACK is for tests only/);
    expect(message).not.toContain('A'.repeat(43)); // the private key is never echoed
    expect(() => loadConfig({ HUB_VAPID_PRIVATE_KEY: 'secret-private-key!' })).toThrow(/^(?!.*secret-private-key)/);
    expect(() => loadConfig({ HUB_PUSH_ALLOWED_HOSTS: 'fcm.googleapis.com,http://x' })).toThrow(/not a host: http:\/\/x/);

    const dev = loadConfig({});
    expect(dev.push.vapid?.publicKey).toMatch(/^B[A-Za-z0-9_-]{86}$/);
    expect(dev.generated.vapid?.publicKey).toBe(dev.push.vapid?.publicKey);
    expect(dev.push.allowLoopback).toBe(false);
    expect(dev.push.allowedHosts).toContain('fcm.googleapis.com');
    expect(loadConfig({ HUB_JWT_SECRET: 'x'.repeat(32) }).push.vapid).toBeNull();
    const test = loadConfig({ HUB_JWT_SECRET: 'x'.repeat(32), NODE_ENV: 'test', HUB_PUSH_ALLOW_LOOPBACK: '1', HUB_VAPID_SUBJECT: 'mailto:ops@example.org', ...pair });
    expect(test.push).toMatchObject({ allowLoopback: true, vapid: { subject: 'mailto:ops@example.org', publicKey: pair.HUB_VAPID_PUBLIC_KEY } });
  });

  it('e-mail: HUB_SMTP_URL needs a sender, a public URL and a key for unsubscribe links; a From is one line', () => {
    const error = (env: Record<string, string>) => {
      try {
        loadConfig(env);
      } catch (e) {
        expect(e).toBeInstanceOf(ConfigError);
        return (e as Error).message;
      }
      return '';
    };
    const smtp = 'smtp://user:hunter2-password@mail.example:587';
    const m = error({ HUB_SMTP_URL: smtp, HUB_JWT_JWKS_URL: 'https://portal.example/jwks' });
    for (const name of ['HUB_MAIL_FROM', 'HUB_PUBLIC_URL', 'HUB_UNSUBSCRIBE_SECRET']) expect(m).toContain(name);
    expect(m).not.toContain('hunter2');
    const bad = error({ HUB_SMTP_URL: 'http://mail.example', HUB_MAIL_FROM: 'a@b.example\r\nBcc: c@d.example', HUB_PUBLIC_URL: 'hub.example', HUB_UNSUBSCRIBE_SECRET: 'short' });
    for (const name of ['HUB_SMTP_URL', 'HUB_MAIL_FROM', 'HUB_PUBLIC_URL', 'HUB_UNSUBSCRIBE_SECRET']) expect(bad).toContain(name);
    expect(bad).not.toContain('short');
    // With the JWT secret the unsubscribe key is derived from it; a trailing slash is dropped.
    const c = loadConfig({ HUB_SMTP_URL: smtp, HUB_MAIL_FROM: 'schoolhub <noreply@school.example>', HUB_PUBLIC_URL: 'https://hub.school.example/', HUB_JWT_SECRET: 'x'.repeat(32) });
    expect(c.mail).toEqual({ smtpUrl: smtp, from: 'schoolhub <noreply@school.example>', publicUrl: 'https://hub.school.example', unsubscribeSecret: undefined });
    expect(loadConfig({ HUB_PUBLIC_URL: 'https://school.example/hub/' }).mail.publicUrl).toBe('https://school.example/hub');
    expect(error({ HUB_PUBLIC_URL: 'https://hub.example/?x=1' })).toContain('HUB_PUBLIC_URL');
  });
});
