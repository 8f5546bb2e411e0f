/**
 * The onsky HTTP server: one node:http process serving GraphQL (graphql-yoga over the Pothos
 * schema) at /graphql, the web UI at /, /health, /metrics and uploads at /api/import. Every
 * request passes the CSRF check, authentication and a body-size limit before it reaches GraphQL;
 * query responses are cached until the log moves.
 */
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { GraphQLError } from 'graphql';
import { createYoga, type Plugin, type YogaLogger } from 'graphql-yoga';
import type { Logger } from 'pino';
import type { EventStore } from '../store/port.js';
import { MUTATION_ROLES, roleAllows } from './auth/roles.js';
import type { TokenStore } from './auth/tokens.js';
import type { CommandHandler } from './commands/handler.js';
import type { Actor, ApiContext } from './context.js';
import { ResponseCache } from './http/cache.js';
import { Authenticator, checkCsrf, HttpError, isLoopbackHost, readBody } from './http/guards.js';
import { Metrics } from './http/metrics.js';
import { OperationCache, type GraphqlParams, type OperationInfo } from './http/operation.js';
import { serveUi } from './http/static.js';
import { importUpload } from './http/upload.js';
import type { ReadSide } from './read-side.js';
import { QUERY_LIMITS, type QueryLimits } from './schema/builder.js';
import { introspectionDepthRule } from './schema/introspection-limit.js';
import { onskySchema } from './schema/index.js';

export interface ServerOptions {
  readonly store: EventStore;
  readonly reads: ReadSide;
  readonly commands: CommandHandler;
  readonly tokens: TokenStore;
  readonly logger: Logger;
  /** Default 127.0.0.1. Local single-user mode is possible only on a loopback address. */
  readonly host?: string;
  /** Default 4000; 0 picks a free port. */
  readonly port?: number;
  /** Built UI; default dist/ui of the repository. */
  readonly uiFolder?: string;
  /** Largest GraphQL request body in bytes; default 1 MiB. */
  readonly maxBodyBytes?: number;
  /** Largest upload to /api/import in bytes; default 64 MiB. */
  readonly maxUploadBytes?: number;
  /** Depth, complexity and breadth limits of one operation; default `QUERY_LIMITS`. */
  readonly queryLimits?: QueryLimits;
  /** Serve GraphiQL at GET /graphql; its page loads its scripts from unpkg.com. Default false. */
  readonly graphiql?: boolean;
  /**
   * Response cache; `false` turns it off. Clock-dependent figures (days waiting) are computed for
   * "now" rounded down to `intervalMs`, so a cached response stays exact within one interval.
   */
  readonly cache?: false | { readonly intervalMs?: number; readonly maxEntries?: number; readonly maxBytes?: number };
}

export interface RunningServer {
  /** Base URL, e.g. http://127.0.0.1:4000/ */
  readonly url: string;
  readonly host: string;
  readonly port: number;
  readonly metrics: Metrics;
  /** Stops accepting requests, ends open subscriptions and resolves once the socket is closed. */
  close(): Promise<void>;
}

const MIB = 1024 * 1024;
const REJECTION_LOG_INTERVAL_MS = 10_000;
const repositoryRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..');


export async function startServer(options: ServerOptions): Promise<RunningServer> {
  const host = options.host ?? '127.0.0.1';
  const logger = options.logger;
  const metrics = new Metrics();
  const authenticator = new Authenticator(options.tokens, isLoopbackHost(host), logger);
  const handler = new RequestHandler(options, metrics, authenticator);

  const server = createServer((request, response) => {
    const requestId = randomUUID();
    handler.handle(request, response, requestId).catch((error: unknown) => handler.fail(response, requestId, error));
  });
  await listen(server, options.port ?? 4000, host);
  const port = (server.address() as AddressInfo).port;
  const url = `http://${host.includes(':') ? `[${host}]` : host}:${port}/`;

  if (authenticator.localMode()) {
    logger.warn({ host, port }, 'local single-user mode: no token exists, so every request acts as admin; create a token (onsky token create --role admin) to require tokens');
  } else if (options.tokens.count() === 0) {
    logger.warn({ host, port }, `no token exists and ${host} is not a loopback address, so every request is rejected; create one with onsky token create --role admin`);
  }
  logger.info({ url, host, port }, 'server listening');

  return {
    url,
    host,
    port,
    metrics,
    close: async () => {
      const closed = new Promise<void>((done) => server.close(() => done()));
      server.closeIdleConnections();
      // Subscriptions keep their connections open; they end when their sockets close.
      const grace = setTimeout(() => server.closeAllConnections(), 1000);
      await closed;
      clearTimeout(grace);
      logger.info({ url }, 'server stopped');
    },
  };
}

function listen(server: Server, port: number, host: string): Promise<void> {
  return new Promise((done, fail) => {
    server.once('error', fail);
    server.listen(port, host, () => {
      server.off('error', fail);
      done();
    });
  });
}

/** Adds the introspection depth rule to GraphQL validation (an envelop `onValidate` hook). */
const introspectionLimitPlugin: Plugin = {
  onValidate: ({ addValidationRule }) => addValidationRule(introspectionDepthRule),
};

class RequestHandler {
  private readonly yoga;
  private readonly operations = new OperationCache();
  private readonly cache: ResponseCache | undefined;
  private readonly cacheIntervalMs: number;
  private readonly uiFolder: string;
  /** Last logged rejection per error code, and how many since were not logged. */
  private readonly rejections = new Map<string, { atMs: number; suppressed: number }>();

  constructor(
    private readonly options: ServerOptions,
    private readonly metrics: Metrics,
    private readonly authenticator: Authenticator,
  ) {
    const cacheOptions = options.cache === false ? undefined : (options.cache ?? {});
    this.cache = cacheOptions === undefined ? undefined : new ResponseCache(cacheOptions.maxEntries ?? 1000, cacheOptions.maxBytes ?? 64 * MIB);
    this.cacheIntervalMs = cacheOptions?.intervalMs ?? 10_000;
    this.uiFolder = resolve(options.uiFolder ?? join(repositoryRoot, 'dist', 'ui'));
    this.yoga = createYoga<{ api: ApiContext }>({
      schema: onskySchema(),
      graphqlEndpoint: '/graphql',
      graphiql: options.graphiql ?? false,
      landingPage: false,
      batching: false,
      multipart: false,
      logging: yogaLogger(options.logger),
      context: ({ api }) => api,
      maskedErrors: { maskError: (error) => this.maskError(error), isDev: false },
      plugins: [introspectionLimitPlugin],
    });
  }

  async handle(request: IncomingMessage, response: ServerResponse, requestId: string): Promise<void> {
    const url = new URL(request.url ?? '/', 'http://onsky.invalid');
    const route = routeOf(url.pathname);
    response.on('finish', () => this.metrics.countRequest(route, response.statusCode));
    try {
      switch (route) {
        case '/graphql':
          return await this.graphql(request, response, url, requestId);
        case '/health':
          return await this.health(response);
        case '/metrics':
          return await this.metricsPage(response);
        case '/api/import':
          return await this.upload(request, response, url, requestId);
        default:
          return await serveUi(request, response, this.uiFolder, url.pathname);
      }
    } catch (error) {
      if (!(error instanceof HttpError)) throw error;
      this.metrics.countError(error.code);
      this.logRejection(requestId, route, error);
      sendJson(response, error.status, { errors: [{ message: error.message, extensions: { code: error.code } }] }, error.status === 401 ? { 'WWW-Authenticate': 'Bearer' } : {});
    }
  }

  /**
   * Logs a rejected request, at most once per error code every 10 s, so a client repeating a bad
   * request cannot flood the log. The next logged line reports how many were left out.
   */
  private logRejection(requestId: string, route: string, error: HttpError): void {
    const now = Date.now();
    const last = this.rejections.get(error.code);
    if (last !== undefined && now - last.atMs < REJECTION_LOG_INTERVAL_MS) {
      last.suppressed += 1;
      return;
    }
    this.rejections.set(error.code, { atMs: now, suppressed: 0 });
    this.options.logger.info(
      { requestId, route, status: error.status, code: error.code, notLogged: last?.suppressed ?? 0 },
      `request rejected: ${error.message}`,
    );
  }

  /** Sends a 500 response with a reference id for an unexpected failure; the log gets the stack. */
  fail(response: ServerResponse, requestId: string, error: unknown): void {
    this.metrics.countError('INTERNAL_SERVER_ERROR');
    this.options.logger.error({ requestId, err: error }, 'request failed');
    if (response.headersSent) {
      response.destroy();
      return;
    }
    sendJson(response, 500, { errors: [{ message: `internal error; reference ${requestId}`, extensions: { code: 'INTERNAL_SERVER_ERROR', reference: requestId } }] });
  }

  private async graphql(request: IncomingMessage, response: ServerResponse, url: URL, requestId: string): Promise<void> {
    const started = performance.now();
    checkCsrf(request);
    // The GraphiQL page itself needs no token (its requests do); a GET carrying a query always does.
    const graphiqlPage =
      this.options.graphiql === true && request.method === 'GET' && (request.headers.accept ?? '').includes('text/html') && !url.searchParams.has('query');
    const actor: Actor = graphiqlPage ? { role: 'viewer', name: 'graphiql', tokenId: null } : this.authenticator.authenticate(request);

    const body = request.method === 'POST' ? await readBody(request, this.options.maxBodyBytes ?? MIB) : undefined;
    const params = paramsOf(request, url, body);
    const operation = this.operations.describe(params);
    const streaming = (request.headers.accept ?? '').includes('text/event-stream') || operation.kind === 'subscription';
    const now = this.clockBucket();
    const position = this.options.reads.position()?.toString() ?? 'none';
    const cacheKey = this.cache !== undefined && operation.kind === 'query' && !streaming ? cacheKeyOf(params, actor, now) : undefined;

    if (cacheKey !== undefined) {
      const hit = this.cache!.get(position, cacheKey);
      if (hit !== undefined) {
        response.writeHead(200, { 'Content-Type': hit.contentType, 'Content-Length': hit.body.length }).end(hit.body);
        this.metrics.countOperation(operation.name, operation.kind, 'cached', (performance.now() - started) / 1000);
        return;
      }
    }

    const abort = new AbortController();
    response.on('close', () => abort.abort());
    const api: ApiContext = {
      actor,
      requestId,
      now,
      reads: this.options.reads,
      commands: this.options.commands,
      tokens: this.options.tokens,
      logger: this.options.logger,
      metrics: this.metrics,
      queryLimits: this.options.queryLimits ?? QUERY_LIMITS,
    };
    // The Host header is the client's to choose, so the URL handed to Yoga uses a fixed host.
    const fetchRequest = new Request(`http://onsky.invalid${url.pathname}${url.search}`, {
      method: request.method ?? 'GET',
      headers: headersOf(request),
      ...(body === undefined ? {} : { body: new Uint8Array(body) }),
      signal: abort.signal,
    });
    const result = await this.yoga.handleRequest(fetchRequest, { api });

    const contentType = result.headers.get('content-type') ?? '';
    if (contentType.startsWith('text/event-stream') || contentType.startsWith('multipart/mixed')) {
      await pipeResponse(result, response);
      this.metrics.countOperation(operation.name, operation.kind, 'ok', (performance.now() - started) / 1000);
      return;
    }
    const payload = Buffer.from(await result.arrayBuffer());
    const failed = payload.includes('"errors":');
    if (failed) this.countErrorCodes(payload);
    if (cacheKey !== undefined && result.status === 200 && !failed) {
      this.cache!.set(position, cacheKey, { body: payload, contentType });
    }
    const headers: Record<string, string> = {};
    result.headers.forEach((value, name) => {
      headers[name] = value;
    });
    response.writeHead(result.status, { ...headers, 'content-length': String(payload.length) }).end(payload);
    this.metrics.countOperation(operation.name, operation.kind, failed ? 'error' : 'ok', (performance.now() - started) / 1000);
  }

  private async health(response: ServerResponse): Promise<void> {
    const head = await this.options.store.headPosition();
    const projection = this.options.reads.position();
    const ready = this.options.reads.isReady();
    sendJson(response, ready ? 200 : 503, {
      status: ready ? 'ok' : 'starting',
      ready,
      storeHeadPosition: head?.toString() ?? null,
      projectionPosition: projection?.toString() ?? null,
    });
  }

  private async metricsPage(response: ServerResponse): Promise<void> {
    const text = this.metrics.render({ storeHead: (await this.options.store.headPosition()) ?? null, projections: this.options.reads.position() ?? null });
    response.writeHead(200, { 'Content-Type': 'text/plain; version=0.0.4; charset=utf-8' }).end(text);
  }

  private async upload(request: IncomingMessage, response: ServerResponse, url: URL, requestId: string): Promise<void> {
    if (request.method !== 'POST') {
      throw new HttpError(405, 'METHOD_NOT_ALLOWED', 'POST the file to /api/import?format=<format>[&dryRun=true]');
    }
    checkCsrf(request);
    const actor = this.authenticator.authenticate(request);
    if (!roleAllows(actor.role, MUTATION_ROLES.importFile)) {
      throw new HttpError(403, 'FORBIDDEN', `importing needs role ${MUTATION_ROLES.importFile} or above, and this token has role ${actor.role}; ask an admin for a token with a role that allows it`);
    }
    const body = await readBody(request, this.options.maxUploadBytes ?? 64 * MIB);
    const services = { store: this.options.store, commands: this.options.commands, logger: this.options.logger };
    const summary = await importUpload(services, { url, request, body, actor, requestId });
    // Queries right after the upload should see what it appended.
    const head = await this.options.store.headPosition();
    if (head !== undefined) await this.options.reads.waitFor(head);
    sendJson(response, 200, summary);
  }

  /**
   * Masks unexpected errors: the client sees a reference id, the log gets the stack under the same
   * id. Yoga passes no request to this hook, so the reference is the error's own id.
   */
  private maskError(error: unknown): Error {
    if (isClientError(error)) return error as Error;
    const requestId = randomUUID();
    const cause = isGraphqlError(error) && error.originalError != null ? error.originalError : error;
    this.options.logger.error({ requestId, err: cause, path: isGraphqlError(error) ? error.path : undefined }, 'GraphQL resolver failed');
    return new GraphQLError(`internal error; reference ${requestId}`, {
      ...(isGraphqlError(error) ? { path: error.path, nodes: error.nodes } : {}),
      extensions: { code: 'INTERNAL_SERVER_ERROR', reference: requestId },
    });
  }

  private countErrorCodes(payload: Buffer): void {
    try {
      const parsed = JSON.parse(payload.toString('utf8')) as { errors?: { extensions?: { code?: unknown } }[] };
      for (const error of parsed.errors ?? []) {
        this.metrics.countError(typeof error.extensions?.code === 'string' ? error.extensions.code : 'GRAPHQL_ERROR');
      }
    } catch {
      this.metrics.countError('GRAPHQL_ERROR');
    }
  }

  private clockBucket(): string {
    const interval = this.cacheIntervalMs;
    return new Date(Math.floor(Date.now() / interval) * interval).toISOString();
  }
}

/**
 * GraphQL errors made for the client (validation, authorization, limits) carry no foreign
 * original error. Checked by name, because under some module loaders (Vitest) graphql-js is
 * loaded twice, once as ESM and once as CommonJS, and `instanceof` fails across the copies.
 */
function isClientError(error: unknown): boolean {
  if (!isGraphqlError(error)) return false;
  return error.originalError === undefined || error.originalError === null || isClientError(error.originalError);
}

function isGraphqlError(error: unknown): error is GraphQLError {
  return error instanceof Error && error.name === 'GraphQLError';
}

function routeOf(pathname: string): string {
  if (pathname === '/graphql' || pathname === '/health' || pathname === '/metrics' || pathname === '/api/import') return pathname;
  return 'ui';
}

function paramsOf(request: IncomingMessage, url: URL, body: Buffer | undefined): GraphqlParams {
  if (body === undefined) {
    const variables = url.searchParams.get('variables');
    return { query: url.searchParams.get('query') ?? undefined, operationName: url.searchParams.get('operationName') ?? undefined, variables: variables ?? undefined };
  }
  if (!(request.headers['content-type'] ?? '').includes('json')) return {};
  try {
    const parsed = JSON.parse(body.toString('utf8')) as unknown;
    return typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed) ? (parsed as GraphqlParams) : {};
  } catch {
    // Yoga returns its own error for a malformed body.
    return {};
  }
}

/** Builds the cache key from everything a query's response depends on but the log position, which the cache tracks itself. */
function cacheKeyOf(params: GraphqlParams, actor: Actor, now: string): string {
  const variables = typeof params.variables === 'string' ? params.variables : JSON.stringify(params.variables ?? null);
  return [actor.role, actor.name, now, String(params.operationName ?? ''), String(params.query), variables].join('\u0000');
}

const HOP_HEADERS = new Set(['host', 'connection', 'content-length', 'transfer-encoding', 'keep-alive', 'upgrade']);

function headersOf(request: IncomingMessage): Headers {
  const headers = new Headers();
  for (const [name, value] of Object.entries(request.headers)) {
    if (value === undefined || HOP_HEADERS.has(name)) continue;
    headers.set(name, Array.isArray(value) ? value.join(', ') : value);
  }
  return headers;
}

async function pipeResponse(result: Response, response: ServerResponse): Promise<void> {
  const headers: Record<string, string> = {};
  result.headers.forEach((value, name) => {
    headers[name] = value;
  });
  response.writeHead(result.status, headers);
  response.flushHeaders();
  if (result.body === null) {
    response.end();
    return;
  }
  try {
    for await (const chunk of result.body as unknown as AsyncIterable<Uint8Array>) {
      if (response.destroyed) break;
      response.write(chunk);
    }
  } finally {
    response.end();
  }
}

function sendJson(response: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = JSON.stringify(body);
  response.writeHead(status, { 'Content-Type': 'application/json; charset=utf-8', 'Content-Length': Buffer.byteLength(text), ...headers }).end(text);
}

function yogaLogger(logger: Logger): YogaLogger {
  const child = logger.child({ component: 'graphql-yoga' });
  // Yoga's debug messages trace every request's phases, so they go to pino's trace level.
  const write = (level: 'trace' | 'info' | 'warn' | 'error') => (...args: unknown[]) => {
    const [first, ...rest] = args;
    child[level]({ details: rest.length === 0 ? undefined : rest }, typeof first === 'string' ? first : String(first));
  };
  return { debug: write('trace'), info: write('info'), warn: write('warn'), error: write('error') };
}
