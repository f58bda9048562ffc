/**
 * `npm run bench [-- NAME ...]`: runs test/bench/NAME.bench.ts (all when no name is
 * given). Each benchmark prints a table and writes .bench/NAME.json.
 */
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';

const available = readdirSync('test/bench')
  .filter((file) => file.endsWith('.bench.ts'))
  .map((file) => file.slice(0, -'.bench.ts'.length))
  .sort();
const requested = process.argv.slice(2);
const unknown = requested.filter((name) => !available.includes(name));
if (unknown.length > 0) {
  process.stderr.write(`Unknown benchmark: ${unknown.join(', ')}. Available: ${available.join(', ')}\n`);
  process.exit(2);
}
let status = 0;
for (const name of requested.length > 0 ? requested : available) {
  process.stdout.write(`\n=== bench: ${name}\n`);
  const result = spawnSync('node', ['--expose-gc', `test/bench/${name}.bench.ts`], { stdio: 'inherit' });
  if (result.status !== 0) status = 1;
}
process.exit(status);
