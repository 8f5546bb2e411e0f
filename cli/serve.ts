/**
 * `onsky serve`: runs the API, the web UI and the read models in one process until SIGINT or
 * SIGTERM, then stops gracefully (server, read-model snapshot, store).
 */
import { dirname } from 'node:path';
import { parseArgs } from 'node:util';
import pino from 'pino';
import { ESDB_URL, startOnsky } from '../api/app.js';
import { checkCanListen } from '../api/server.js';
import { argumentProblem, dataFolder, isStoreUrl, prepareDataFolder, storeLocation, UsageError } from './options.js';

const HELP = `usage: onsky serve [--data DIR] [--port N] [--host ADDRESS] [--store URL] [--graphiql]

  --data DIR       folder of the embedded store, read-model snapshot and tokens (default ./data, or ONSKY_DATA)
  --port N         TCP port, 0 to 65535 (default 4000, or PORT)
  --host ADDRESS   address to listen on (default 127.0.0.1); without tokens only a loopback address is usable
  --store URL      keep the log in EventStoreDB, e.g. esdb://127.0.0.1:2113?tls=false (or ONSKY_STORE)
  --graphiql       serve GraphiQL at GET /graphql (its page loads scripts from unpkg.com)
  --no-examples    start with an empty store instead of importing the example data on first start
`;

export interface ServeSettings {
  readonly dataFolder: string;
  readonly storeLocation: string;
  readonly port: number;
  readonly host: string;
  readonly graphiql: boolean;
  /** Import the example data into an empty store on start. */
  readonly examples: boolean;
}

/** Reads the settings from the arguments and the environment; throws `UsageError` for a bad value. */
export function serveSettings(argv: readonly string[], env: NodeJS.ProcessEnv = process.env): ServeSettings | 'help' {
  let parsed;
  try {
    parsed = parseArgs({
      args: [...argv],
      options: {
        data: { type: 'string' },
        port: { type: 'string' },
        host: { type: 'string' },
        store: { type: 'string' },
        graphiql: { type: 'boolean' },
        'no-examples': { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
      },
      allowPositionals: true,
      strict: true,
    });
  } catch (error) {
    throw new UsageError(`${argumentProblem(error)}; run onsky serve --help for the options`);
  }
  const { values, positionals } = parsed;
  if (values.help === true) return 'help';
  if (positionals.length > 0) {
    throw new UsageError(`unexpected argument "${positionals[0]}"; run onsky serve --help for the options`);
  }

  const portText = values.port ?? env.PORT ?? '4000';
  const port = Number(portText);
  if (!/^\d+$/.test(portText) || port > 65535) {
    throw new UsageError(`port "${portText}" is invalid; give a whole number from 0 to 65535, e.g. --port 4000`);
  }
  const host = values.host ?? '127.0.0.1';
  if (host.trim() === '' || /[\s/]/.test(host)) {
    throw new UsageError(`host "${host}" is invalid; give an address such as 127.0.0.1 or 0.0.0.0`);
  }
  const folder = dataFolder(values.data, env);
  const location = storeLocation(values.store, folder, env);
  if (isStoreUrl(location) && !ESDB_URL.test(location)) {
    throw new UsageError(`store "${location}" is not an esdb:// URL or a file path; pass --store esdb://127.0.0.1:2113?tls=false, or leave it out for the embedded store`);
  }
  return { dataFolder: folder, storeLocation: location, port, host, graphiql: values.graphiql === true, examples: values['no-examples'] !== true };
}

export async function runServe(argv: string[]): Promise<void> {
  const settings = serveSettings(argv);
  if (settings === 'help') {
    process.stdout.write(HELP);
    return;
  }

  // Checked before the data folder is created or touched, so a start on a busy port changes nothing there.
  await checkPort(settings.host, settings.port);
  prepareDataFolder(settings.dataFolder);
  if (!ESDB_URL.test(settings.storeLocation)) prepareDataFolder(dirname(settings.storeLocation));

  // Logs go to stderr, so stdout carries only the line saying where to open onsky.
  const logger = pino({ level: process.env.LOG_LEVEL ?? 'info' }, pino.destination(2));
  let onsky;
  try {
    onsky = await startOnsky({
      dataFolder: settings.dataFolder,
      storeLocation: settings.storeLocation,
      logger,
      examples: settings.examples,
      server: { host: settings.host, port: settings.port, graphiql: settings.graphiql },
    });
  } catch (error) {
    throw listenError(error, settings.host, settings.port);
  }

  const running = onsky;
  process.stdout.write(`onsky is serving ${running.server.url} (GraphQL at ${running.server.url}graphql)\n`);
  await new Promise<void>((done, fail) => {
    const stop = (signal: NodeJS.Signals): void => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      logger.info({ signal }, 'stopping');
      running.stop().then(done, fail);
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
  });
  logger.flush();
}

async function checkPort(host: string, port: number): Promise<void> {
  try {
    await checkCanListen(host, port);
  } catch (error) {
    throw listenError(error, host, port);
  }
}

/** Turns a bind error into the one-line usage error; any other error is returned as it is. */
function listenError(error: unknown, host: string, port: number): unknown {
  const code = (error as NodeJS.ErrnoException).code;
  if (code === 'EADDRINUSE' || code === 'EACCES' || code === 'EADDRNOTAVAIL' || code === 'ENOTFOUND') {
    return new UsageError(`cannot listen on ${host}:${port} (${code}); choose another --port or --host`);
  }
  return error;
}
