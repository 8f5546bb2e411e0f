/** Prints the API's schema as SDL: `npx tsx test/browser/print-sdl.ts > schema.graphql`. */
import { createRequire } from 'node:module';
import { onskySchema } from '../../api/schema/index.js';

const { printSchema } = createRequire(import.meta.url)('graphql') as typeof import('graphql');
process.stdout.write(printSchema(onskySchema()));
