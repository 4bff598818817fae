import { parseArgs } from 'node:util';
import { loadConfigOrExit } from '../shared/config';
import { ROLES, signToken, type Role } from '../shared/auth';

/**
 * Mints a bearer token for local use.
 * @example npm run token -- --sub alice --role buyer --expires 2h
 */
const { values } = parseArgs({
  options: {
    sub: { type: 'string', default: 'demo-buyer' },
    role: { type: 'string', default: 'buyer' },
    expires: { type: 'string', default: '12h' },
  },
});
if (!ROLES.includes(values.role as Role)) {
  process.stderr.write(`--role must be one of ${ROLES.join(', ')}\n`);
  process.exit(2);
}
const config = loadConfigOrExit();
process.stdout.write(
  `${signToken(config.JWT_SECRET, { user_id: values.sub, role: values.role as Role }, values.expires as '12h')}\n`,
);
