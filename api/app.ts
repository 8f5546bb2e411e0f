/**
 * Starts onsky as one process: the event store, the read models, the command handler, the
 * tokens file and the HTTP server, and stops them in the reverse order. `onsky serve` and the
 * API tests use it, so both run the same wiring.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Logger } from 'pino';
import { domainUpcasters } from '../domain/upcasters.js';
import { startProjections, type Projections } from '../projections/index.js';
import { openEsdbStore } from '../store/esdb.js';
import type { EventStore } from '../store/port.js';
import { openSqliteStore } from '../store/sqlite.js';
import { openTokenStore, type TokenStore } from './auth/tokens.js';
import { CommandHandler } from './commands/handler.js';
import { DATA_FILES } from './data-files.js';
import { EXAMPLES_FOLDER, importExamples } from './examples.js';
import { readSideOf, type ReadSide } from './read-side.js';
import { checkCanListen, DEFAULT_HOST, DEFAULT_PORT, startServer, type RunningServer, type ServerOptions } from './server.js';

export interface OnskyOptions {
  /** Folder of the embedded store, the read-model snapshot and the tokens file; created when missing. */
  readonly dataFolder: string;
  /**
   * An `esdb://` or `kurrentdb://` URL selects EventStoreDB, a path a SQLite file; omitted, the
   * embedded store `events.sqlite` in `dataFolder`.
   */
  readonly storeLocation?: string;
  readonly logger: Logger;
  readonly server?: Omit<ServerOptions, 'store' | 'reads' | 'commands' | 'tokens' | 'logger'>;
  /** Import the example data when the store is empty, so a first start has something to show. */
  readonly examples?: boolean;
}

export interface RunningOnsky {
  readonly server: RunningServer;
  readonly store: EventStore;
  readonly projections: Projections;
  readonly reads: ReadSide;
  readonly commands: CommandHandler;
  readonly tokens: TokenStore;
  /** Closes the server, then the read models (writing their snapshot), the store and the tokens file. */
  stop(): Promise<void>;
}

/** File names inside the data folder. */
export { DATA_FILES };

export async function startOnsky(options: OnskyOptions): Promise<RunningOnsky> {
  const { logger, dataFolder } = options;
  await checkCanListen(options.server?.host ?? DEFAULT_HOST, options.server?.port ?? DEFAULT_PORT);
  mkdirSync(dataFolder, { recursive: true });
  const store = openStore(options);
  const tokens = openTokenStore(join(dataFolder, DATA_FILES.tokens));
  if (options.examples === true) await importExamplesIntoEmpty(store, logger);
  const projections = startProjections(store, { snapshotFile: join(dataFolder, DATA_FILES.snapshot), logger: logger.child({ component: 'projections' }) });

  try {
    await projections.ready;
  } catch (error) {
    await projections.close();
    await store.close();
    tokens.close();
    throw error;
  }

  const reads = readSideOf(projections);
  const commands = new CommandHandler({
    store,
    lookups: { tagsOf: (name) => projections.query.targetTags(name) },
    verifiedFeatures: {
      verifiedFeaturesWithComponent: (component) => projections.query.verifiedFeaturesWithComponent(component),
      evidenceStartOf: (featureKey) => projections.query.evidenceStartOf(featureKey),
      waitFor: (position) => reads.waitFor(position),
    },
    logger: logger.child({ component: 'commands' }),
  });
  let server: RunningServer;
  try {
    server = await startServer({ ...options.server, store, reads, commands, tokens, logger, importIndexCacheFile: join(dataFolder, DATA_FILES.importIndexes), importLockFile: join(dataFolder, DATA_FILES.importLock) });
  } catch (error) {
    await projections.close();
    await store.close();
    tokens.close();
    throw error;
  }

  let stopping: Promise<void> | undefined;
  const stop = (): Promise<void> => {
    stopping ??= (async () => {
      await server.close();
      await projections.close();
      await store.close();
      tokens.close();
    })();
    return stopping;
  };
  return { server, store, projections, reads, commands, tokens, stop };
}

async function importExamplesIntoEmpty(store: EventStore, logger: Logger): Promise<void> {
  if ((await store.headPosition()) !== undefined) return;
  logger.info({ folder: EXAMPLES_FOLDER }, 'the store is empty, so onsky imports the example data (start with --no-examples to skip it)');
  const summaries = await importExamples(store, logger.child({ component: 'examples' }));
  const appended = summaries.reduce((sum, summary) => sum + summary.appended, 0);
  logger.info({ files: summaries.length, appended }, 'imported the example data');
}

/** Matches the connection strings of the EventStoreDB client. */
export const ESDB_URL = /^(esdb|esdb\+discover|kurrentdb|kurrentdb\+discover):\/\//;

function openStore(options: OnskyOptions): EventStore {
  const logger = options.logger.child({ component: 'store' });
  const location = options.storeLocation ?? join(options.dataFolder, DATA_FILES.events);
  // The command handler reads a stream just before it appends, so the adapter may trust the ids it
  // cached on that read for a second and send one request per append instead of two.
  return ESDB_URL.test(location) ? openEsdbStore(location, { logger, idCacheTrustMs: 1000, upcasters: domainUpcasters }) : openSqliteStore(location, { logger, upcasters: domainUpcasters });
}
