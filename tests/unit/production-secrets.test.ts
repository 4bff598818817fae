import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig, SECRET_SETTINGS } from '../../shared/config';
import { ROOT } from '../support/env';

/** `NODE_ENV=production` refuses to start while any secret is still its development default. */
describe('production secrets', () => {
  const secrets = {
    JWT_SECRET: 'a'.repeat(40),
    PAYMENT_WEBHOOK_SECRET: 'b'.repeat(40),
    TICKET_SIGNING_SEED: 'c'.repeat(64),
  };

  it('names every secret left at its default', () => {
    expect(() => loadConfig({ NODE_ENV: 'production' })).toThrow(ConfigError);
    try {
      loadConfig({ NODE_ENV: 'production', JWT_SECRET: secrets.JWT_SECRET });
      expect.unreachable('must refuse');
    } catch (err) {
      const message = (err as Error).message;
      expect(message).not.toContain('JWT_SECRET');
      expect(message).toContain('PAYMENT_WEBHOOK_SECRET');
      expect(message).toContain('TICKET_SIGNING_SEED');
    }
    expect(SECRET_SETTINGS).toEqual(['JWT_SECRET', 'PAYMENT_WEBHOOK_SECRET', 'TICKET_SIGNING_SEED']);
  });

  it('starts with every secret set, and in development with the defaults', () => {
    expect(loadConfig({ NODE_ENV: 'production', ...secrets }).JWT_SECRET).toBe(secrets.JWT_SECRET);
    expect(loadConfig({ NODE_ENV: 'development' }).NODE_ENV).toBe('development');
  });

  it.each(['ingress/main.ts', 'booking-workers/main.ts', 'notifier/main.ts'])(
    '%s exits 78 naming each default secret',
    (entry) => {
      const env = Object.fromEntries(
        Object.entries(process.env).filter(
          ([k]) => !['JWT_SECRET', 'PAYMENT_WEBHOOK_SECRET', 'TICKET_SIGNING_SEED'].includes(k),
        ),
      );
      const run = spawnSync(process.execPath, ['--import', 'tsx', path.join(ROOT, entry)], {
        cwd: ROOT,
        env: { ...env, NODE_ENV: 'production' },
        encoding: 'utf8',
        timeout: 60_000,
      });
      expect(run.status).toBe(78);
      for (const name of SECRET_SETTINGS) expect(run.stderr).toContain(name);
    },
    90_000,
  );
});
