/**
 * Child process for the concurrent-first-start test: builds the app on the data
 * directory given in argv (no dev password, so the bootstrap file path is exercised),
 * prints whether this start created the admin, and exits.
 */
import { buildApp } from '../../../server/app.ts';
import { defaultConfig } from '../../../server/config.ts';

const dataDir = process.argv[2];
if (!dataDir) throw new Error('usage: first-start.child.ts <dataDir>');
const app = await buildApp({
  logger: false,
  // The audit log is not under test here (and is single-writer per data directory).
  audit: { append: () => Promise.resolve() },
  config: defaultConfig({ dataDir, tls: 'off', logLevel: 'silent', scryptLog2N: 14 }),
});
const users = await app.db.selectFrom('users').select('email').execute();
process.stdout.write(`${JSON.stringify({ users: users.length })}\n`);
await app.close();
