/**
 * Starts a real onsky server on 127.0.0.1 and a free port over a fresh SQLite store in a temp
 * folder, for the API and UI tests. Logs are kept in memory so that tests can read them.
 */
import { Writable } from 'node:stream';
import pino from 'pino';
import { startOnsky, type RunningOnsky } from '../../api/app.js';
import type { Role } from '../../api/auth/roles.js';
import type { ServerOptions } from '../../api/server.js';
import { tempFolder } from './temp.js';

export interface TestServer {
  /** Base URL, e.g. http://127.0.0.1:40123/ */
  readonly url: string;
  readonly graphqlUrl: string;
  readonly onsky: RunningOnsky;
  readonly dataFolder: string;
  /** Every log line written so far, as JSON text. */
  logs(): string[];
  /** Creates a token and returns its secret. */
  createToken(role: Role, label?: string): string;
  /** POSTs a GraphQL request and returns the status and parsed body. */
  graphql(query: string, variables?: Record<string, unknown>, token?: string): Promise<{ status: number; body: GraphqlBody }>;
  close(): Promise<void>;
}

/** A GraphQL response body. `data` is loosely typed because each test's query decides its shape. */
export interface GraphqlBody {
  readonly data?: Record<string, any> | null;
  readonly errors?: readonly { message: string; extensions?: Record<string, unknown> }[];
}

export interface TestServerOptions {
  /** Server options other than the services; default a cache interval of 1 s. */
  readonly server?: Omit<ServerOptions, 'store' | 'reads' | 'commands' | 'tokens' | 'logger' | 'port' | 'host'> & { host?: string };
}

export async function startTestServer(options: TestServerOptions = {}): Promise<TestServer> {
  const folder = tempFolder('onsky-api-');
  const lines: string[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      lines.push(...chunk.toString('utf8').split('\n').filter((line) => line !== ''));
      done();
    },
  });
  const logger = pino({ level: 'debug' }, sink);
  const onsky = await startOnsky({
    dataFolder: folder.path,
    logger,
    server: { host: '127.0.0.1', port: 0, cache: { intervalMs: 1000 }, ...options.server },
  });
  const url = onsky.server.url;
  const graphqlUrl = new URL('/graphql', url).href;

  return {
    url,
    graphqlUrl,
    onsky,
    dataFolder: folder.path,
    logs: () => [...lines],
    createToken: (role, label = `${role}-test`) => onsky.tokens.create(role, label).secret,
    graphql: async (query, variables = {}, token) => {
      const response = await fetch(graphqlUrl, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...(token === undefined ? {} : { authorization: `Bearer ${token}` }) },
        body: JSON.stringify({ query, variables }),
      });
      return { status: response.status, body: (await response.json()) as GraphqlBody };
    },
    close: async () => {
      await onsky.stop();
      folder.remove();
    },
  };
}
