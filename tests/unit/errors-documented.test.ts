import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { ERRORS, REJECTION_REASONS } from '../../shared/errors';

// Not from tests/support/env: that module pulls in every role and driver, and unit tests stay pure.
const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

/** The error registry and README's error table say the same thing. */
describe('error registry', () => {
  const readme = readFileSync(path.join(ROOT, 'README.md'), 'utf8');
  const rows = new Map([...readme.matchAll(/^\| `([a-z_]+)` \| (\d{3}) \|/gm)].map((m) => [m[1]!, Number(m[2])]));

  it('documents every error code with its status', () => {
    for (const [code, { status }] of Object.entries(ERRORS)) expect(rows.get(code), code).toBe(status);
  });
  it('documents no code that does not exist', () => {
    for (const code of rows.keys()) expect(Object.keys(ERRORS), code).toContain(code);
  });
  it('mentions every rejection reason', () => {
    for (const reason of Object.keys(REJECTION_REASONS)) expect(readme, reason).toContain(`\`${reason}\``);
  });
});
