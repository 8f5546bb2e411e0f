/** Assembles the GraphQL schema from the per-entity files around the one builder. */
import type { GraphQLSchema } from 'graphql';
import { builder } from './builder.js';
import './errors.js';
import './feature.js';
import './feature-mutations.js';
import './queue.js';
import './flow.js';
import './ledger.js';
import './traceability.js';
import './timeline.js';
import './change.js';
import './change-mutations.js';
import './observation.js';
import './observation-mutations.js';
import './ticket.js';
import './finding.js';
import './target.js';
import './token.js';
import './live.js';
import './import-detect.js';
import './system.js';

let schema: GraphQLSchema | undefined;

/** Returns the schema, built on first use; building it twice would register every type twice. */
export function onskySchema(): GraphQLSchema {
  schema ??= builder.toSchema({ sortSchema: true });
  return schema;
}
