/**
 * Benchmark runner: `npm run bench -- NAME [ARGS…]` runs bench/NAME.ts, whose default export
 * measures onsky and its baseline in the same run and prints a last line of JSON:
 * `{"bench":NAME,"ratio":R,"target":T,...}`.
 */
import { readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const available = readdirSync(here)
  .filter((file) => file.endsWith('.ts') && file !== 'run.ts' && !file.startsWith('_'))
  .map((file) => file.slice(0, -3))
  .sort();

const [name, ...args] = process.argv.slice(2);
if (name === undefined || !available.includes(name)) {
  const problem = name === undefined ? 'no benchmark named' : `unknown benchmark "${name}"`;
  process.stderr.write(`${problem}; run one of: ${available.join(', ')}\n  e.g. npm run bench -- store-append\n`);
  process.exit(2);
}

const module = (await import(pathToFileURL(join(here, `${name}.ts`)).href)) as {
  default: (args: string[]) => Promise<void>;
};
await module.default(args);
