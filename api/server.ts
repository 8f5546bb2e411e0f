/**
 * The onsky HTTP server: one node:http process serving GraphQL (graphql-yoga over the Pothos
 * schema) at /graphql, the web UI at /, /health, /metrics and uploads at /api/import. Every
 * request passes the CSRF check, authentication and a body-size limit before it reaches GraphQL;
 * query responses are cached until the log moves.
 */
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createNetServer, type AddressInfo, type Socket } from 'node:net';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { PothosValidationError } from '@pothos/core';
import { GraphQLError, type DocumentNode } from 'graphql';
import { createYoga, type Plugin, type YogaLogger } from 'graphql-yoga';
import type { Logger } from 'pino';
import { StoreReadError, type EventStore } from '../store/port.js';
import { MUTATION_ROLES, roleAllows } from './auth/roles.js';
import type { TokenStore } from './auth/tokens.js';
import type { CommandHandler } from './commands/handler.js';
import type { Actor, ApiContext } from './context.js';
import { ResponseCache } from './http/cache.js';
import { documentCache } from './http/document-cache.js';
import { Authenticator, checkCsrf, HttpError, isLoopbackHost, readBody } from './http/guards.js';
import { Metrics } from './http/metrics.js';
import { OperationCache, type GraphqlParams, type OperationInfo } from './http/operation.js';
import { serveUi } from './http/static.js';
import { clientMessage, isStoreWriteFailure, StoreWriteHealth, type StoreWriteFailure } from './http/store-health.js';
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
  /** File in which uploads keep their import indexes between imports; none by default. */
  readonly importIndexCacheFile?: string;
  /** Lock file that lets one import at a time write to the store (uploads and the CLI); none by default. */
  readonly importLockFile?: string;
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
  /** Connection timeouts that end slow or stalled clients; defaults in `SERVER_TIMEOUTS`. */
  readonly timeouts?: Partial<ServerTimeouts>;
}

/** Connection timeouts in milliseconds, set on node:http's server. */
export interface ServerTimeouts {
  /** Time to receive a request's headers (node:http `headersTimeout`); at most `requestMs`. */
  readonly headersMs: number;
  /** Time to receive a whole request, body included (node:http `requestTimeout`). */
  readonly requestMs: number;
  /** Time an idle keep-alive connection stays open (node:http `keepAliveTimeout`). */
  readonly keepAliveMs: number;
  /**
   * Time a response may wait for a client that does not read it. A connection with unsent
   * response bytes and no socket activity for this long is closed. A connection that only waits
   * for the server (a long import, a quiet subscription) is left open.
   */
  readonly stalledResponseMs: number;
  /** How often node:http checks the headers and request timeouts (`connectionsCheckingInterval`). */
  readonly checkIntervalMs: number;
}

/**
 * Node.js 20 allows 60 s for headers and 300 s for a request, and checks them every 30 s.
 * Onsky's GraphQL bodies are at most 1 MiB and its uploads 64 MiB, so 120 s per request leaves
 * an upload at about 0.5 MiB/s room to finish.
 */
export const SERVER_TIMEOUTS: ServerTimeouts = { headersMs: 10_000, requestMs: 120_000, keepAliveMs: 5_000, stalledResponseMs: 30_000, checkIntervalMs: 1_000 };

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
/** Status counted for a request whose client closed the connection before any response. */
const CLIENT_CLOSED_REQUEST = 499;
/** The URL of a request for exactly /graphql, parsed once. */
const PLAIN_GRAPHQL_URL = new URL('http://onsky.invalid/graphql');
const REJECTION_LOG_INTERVAL_MS = 10_000;
const repositoryRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..');


/** Address and port the server listens on when its options give none. */
export const DEFAULT_HOST = '127.0.0.1';
export const DEFAULT_PORT = 4000;

/**
 * Binds `host:port` and releases it at once, so that a start on a busy port fails before it opens
 * the store and rebuilds the read models. Rejects with the bind error (EADDRINUSE, EACCES, …).
 * Another process can still take the port before the real bind, which then fails the same way.
 */
export function checkCanListen(host: string, port: number): Promise<void> {
  if (port === 0) return Promise.resolve();
  const probe = createNetServer();
  return new Promise((done, fail) => {
    probe.once('error', fail);
    probe.listen({ port, host, exclusive: true }, () => probe.close(() => done()));
  });
}

export async function startServer(options: ServerOptions): Promise<RunningServer> {
  const host = options.host ?? DEFAULT_HOST;
  const logger = options.logger;
  const metrics = new Metrics();
  const authenticator = new Authenticator(options.tokens, isLoopbackHost(host), logger);
  const handler = new RequestHandler(options, metrics, authenticator);
  const timeouts = { ...SERVER_TIMEOUTS, ...options.timeouts };

  const server = createServer(
    {
      headersTimeout: timeouts.headersMs,
      requestTimeout: timeouts.requestMs,
      keepAliveTimeout: timeouts.keepAliveMs,
      connectionsCheckingInterval: timeouts.checkIntervalMs,
    },
    (request, response) => {
      const requestId = randomUUID();
      handler.handle(request, response, requestId).catch((error: unknown) => handler.fail(response, requestId, error));
    },
  );
  // With a 'timeout' listener node:http no longer destroys idle sockets itself, so the
  // listener decides: only a socket holding response bytes the client does not read is closed.
  server.setTimeout(timeouts.stalledResponseMs);
  server.on('timeout', (socket: Socket) => handler.socketIdle(socket, timeouts.stalledResponseMs));
  server.on('clientError', (error: NodeJS.ErrnoException, socket: Socket) => handler.clientError(error, socket, timeouts));
  await listen(server, options.port ?? DEFAULT_PORT, host);
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
  private bucket = { startMs: Number.NaN, iso: '' };
  private epoch = { now: '', generation: -1, text: '' };
  private readonly lastKeys = new WeakMap<object, { actor: Actor; epoch: string; accept: string | undefined; contentType: string | undefined; body: Buffer; key: string }>();
  private readonly uiFolder: string;
  /** Last logged rejection per error code, and how many since were not logged. */
  private readonly rejections = new Map<string, { atMs: number; suppressed: number }>();
  private readonly storeWrites = new StoreWriteHealth();

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
      // The CSRF check rejects requests from other origins before they reach Yoga, so Yoga's CORS
      // headers would only make cached and uncached responses differ.
      cors: false,
      // Bounded by characters as well as count: each request may carry a distinct 1 MiB document.
      parserAndValidationCache: { documentCache: documentCache<DocumentNode>(), errorCache: documentCache<object>() },
      plugins: [introspectionLimitPlugin],
    });
  }

  async handle(request: IncomingMessage, response: ServerResponse, requestId: string): Promise<void> {
    // Most requests are POSTs to exactly /graphql, which need no URL parsing. Any other target
    // goes through the WHATWG parser, which also resolves dot segments before routing.
    const target = request.url ?? '/';
    const url = target === '/graphql' ? PLAIN_GRAPHQL_URL : new URL(target, 'http://onsky.invalid');
    const route = routeOf(url.pathname);
    // GraphQL requests register the counter after the cache lookup, because a cached response is
    // counted directly and so skips the listener on the busiest path.
    if (route !== '/graphql') this.countWhenFinished(response, route);
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
  private logRejection(requestId: string | undefined, route: string, error: HttpError): void {
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

  /** Closes a connection whose client has stopped reading its response; other idle sockets stay open. */
  socketIdle(socket: Socket, idleMs: number): void {
    if (socket.writableLength === 0) return;
    this.metrics.countError('RESPONSE_STALLED');
    this.logRejection(
      undefined,
      'connection',
      new HttpError(408, 'RESPONSE_STALLED', `the client read none of ${socket.writableLength} pending response bytes for ${idleMs} ms, so the server closed the connection; read responses as they arrive`),
    );
    socket.destroy();
  }

  /**
   * Replies to a request node:http rejected before it reached `handle`: a timeout (408), headers
   * over the size limit (431) or malformed HTTP (400). Replaces node:http's default reply, an
   * empty body, with the JSON error body every other rejection has.
   */
  clientError(error: NodeJS.ErrnoException, socket: Socket, timeouts: ServerTimeouts): void {
    // A client that closed its connection needs no reply. A response already under way must not
    // get a second status line. node:http's default handler makes the same two checks.
    const current = (socket as Socket & { _httpMessage?: ServerResponse | null })._httpMessage;
    if (error.code === 'ECONNRESET' || !socket.writable || current?.headersSent === true) {
      socket.destroy();
      return;
    }
    const rejection = clientErrorRejection(error, timeouts);
    // node:http parsed no route, so these requests count under `connection`.
    this.metrics.countRequest('connection', rejection.status);
    this.metrics.countError(rejection.code);
    this.logRejection(undefined, 'connection', rejection);
    const body = JSON.stringify({ errors: [{ message: rejection.message, extensions: { code: rejection.code } }] });
    const reason = { 400: 'Bad Request', 408: 'Request Timeout', 431: 'Request Header Fields Too Large' }[rejection.status] ?? 'Bad Request';
    socket.end(
      `HTTP/1.1 ${rejection.status} ${reason}\r\nContent-Type: application/json; charset=utf-8\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
    );
    socket.destroySoon();
  }

  /** Sends a 500 response with a reference id for an unexpected failure; the log gets the stack. */
  fail(response: ServerResponse, requestId: string, error: unknown): void {
    // The request stream fails with ECONNRESET when its connection closed before the body was
    // read: the client hung up, or the request timeout ended it (already logged as REQUEST_TIMEOUT).
    if ((error as NodeJS.ErrnoException | undefined)?.code === 'ECONNRESET' && (response.socket === null || response.socket.destroyed)) {
      this.metrics.countError('CONNECTION_CLOSED');
      this.logRejection(requestId, 'connection', new HttpError(400, 'CONNECTION_CLOSED', 'the connection closed before the request was read in full'));
      return;
    }
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
    let actor: Actor;
    let body: Buffer | undefined;
    try {
      checkCsrf(request);
      // The GraphiQL page itself needs no token (its requests do); a GET carrying a query always does.
      const graphiqlPage =
        this.options.graphiql === true && request.method === 'GET' && (request.headers.accept ?? '').includes('text/html') && !url.searchParams.has('query');
      actor = graphiqlPage ? { role: 'viewer', name: 'graphiql', tokenId: null } : this.authenticator.authenticate(request);
      body = request.method === 'POST' ? await readBody(request, this.options.maxBodyBytes ?? MIB) : undefined;
    } catch (error) {
      this.countWhenFinished(response, '/graphql');
      throw error;
    }
    const now = this.clockBucket();
    const position = this.options.reads.position();
    const acceptsStream = (request.headers.accept ?? '').includes('text/event-stream');
    // Looked up before the body is parsed: a hit costs no JSON.parse and no document lookup.
    const requestKey = this.cache === undefined || acceptsStream ? undefined : this.cacheKeyFor(request, url, body, actor, this.cacheEpoch(now));
    if (requestKey !== undefined) {
      const hit = this.cache!.get(position, requestKey);
      if (hit !== undefined) {
        response.writeHead(200, { 'Content-Type': hit.contentType, 'Content-Length': hit.body.length }).end(hit.body);
        this.metrics.countRequest('/graphql', 200);
        this.metrics.countOperation(hit.operationName, 'query', 'cached', (performance.now() - started) / 1000);
        return;
      }
    }
    this.countWhenFinished(response, '/graphql');

    const params = paramsOf(request, url, body);
    const operation = this.operations.describe(params);
    const streaming = acceptsStream || operation.kind === 'subscription';
    const cacheKey = operation.kind === 'query' && !streaming ? requestKey : undefined;

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
      this.cache!.set(position, cacheKey, { body: payload, contentType, operationName: operation.name });
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
    // A store that rejects writes still serves reads, so the server stays ready (200) and reports
    // `degraded` with the cause and fix until a later write moves the log forward.
    const writeFailure = this.storeWrites.lastFailure(head);
    let status = 'ok';
    if (!ready) status = 'starting';
    else if (writeFailure !== undefined) status = 'degraded';
    sendJson(response, ready ? 200 : 503, {
      status,
      ready,
      storeHeadPosition: head?.toString() ?? null,
      projectionPosition: projection?.toString() ?? null,
      storeWritable: writeFailure === undefined,
      lastStoreWriteFailure: writeFailure ?? null,
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
    const services = {
      store: this.options.store,
      commands: this.options.commands,
      logger: this.options.logger,
      ...(this.options.importIndexCacheFile === undefined ? {} : { indexCacheFile: this.options.importIndexCacheFile }),
      ...(this.options.importLockFile === undefined ? {} : { importLockFile: this.options.importLockFile }),
    };
    let summary: unknown;
    try {
      summary = await importUpload(services, { url, request, body, actor, requestId });
    } catch (error) {
      if (!isStoreWriteFailure(error)) throw error;
      await this.recordStoreFailure(error, requestId, '/api/import');
      throw new HttpError(503, 'STORE_UNAVAILABLE', `${clientMessage(error)}; import the file again once the store takes writes`);
    }
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
    if (cause instanceof PothosValidationError) {
      return new GraphQLError(relayArgumentMessage(cause.message), {
        ...(isGraphqlError(error) ? { path: error.path, nodes: error.nodes } : {}),
        extensions: { code: 'BAD_USER_INPUT' },
      });
    }
    if (isStoreWriteFailure(cause)) {
      void this.recordStoreFailure(cause, requestId, '/graphql');
      return new GraphQLError(clientMessage(cause), {
        ...(isGraphqlError(error) ? { path: error.path, nodes: error.nodes } : {}),
        extensions: { code: 'STORE_UNAVAILABLE', storeCode: cause.code, reference: requestId },
      });
    }
    if (cause instanceof StoreReadError) {
      // The message names the server's file and the fix, which are for the operator's log. A read
      // cut short because the server is stopping is expected, not a fault.
      if (cause.code === 'STORE_CLOSED') this.options.logger.warn({ requestId, code: cause.code }, `event log read stopped: ${cause.message}`);
      else this.options.logger.error({ requestId, code: cause.code, err: cause }, `event log read failed: ${cause.message}`);
      return new GraphQLError(`reading the event log failed on the server; look up reference ${requestId} in the server log`, {
        ...(isGraphqlError(error) ? { path: error.path, nodes: error.nodes } : {}),
        extensions: { code: 'STORE_UNAVAILABLE', storeCode: cause.code, reference: requestId },
      });
    }
    this.options.logger.error({ requestId, err: cause, path: isGraphqlError(error) ? error.path : undefined }, 'GraphQL resolver failed');
    return new GraphQLError(`internal error; reference ${requestId}`, {
      ...(isGraphqlError(error) ? { path: error.path, nodes: error.nodes } : {}),
      extensions: { code: 'INTERNAL_SERVER_ERROR', reference: requestId },
    });
  }

  /** Logs a write the store rejected and keeps it for /health. */
  private async recordStoreFailure(failure: StoreWriteFailure, requestId: string, route: string): Promise<void> {
    let head: Awaited<ReturnType<EventStore['headPosition']>>;
    try {
      head = await this.options.store.headPosition();
    } catch {
      head = undefined;
    }
    this.storeWrites.record(failure, head);
    this.options.logger.error({ requestId, route, code: failure.code, err: failure }, `event store rejected a write: ${clientMessage(failure)}`);
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

  /**
   * Returns the cache key of a request. A connection that repeats its last request with the same
   * caller and epoch reuses that key string, whose hash V8 has already computed.
   */
  private cacheKeyFor(request: IncomingMessage, url: URL, body: Buffer | undefined, actor: Actor, epoch: string): string {
    const last = this.lastKeys.get(request.socket);
    if (
      last !== undefined &&
      body !== undefined &&
      last.actor === actor &&
      last.epoch === epoch &&
      last.accept === request.headers.accept &&
      last.contentType === request.headers['content-type'] &&
      last.body.equals(body)
    ) {
      return last.key;
    }
    const key = cacheKeyOf(request, url, body, actor, epoch);
    if (body !== undefined && request.method === 'POST') {
      this.lastKeys.set(request.socket, { actor, epoch, accept: request.headers.accept, contentType: request.headers['content-type'], body, key });
    }
    return key;
  }

  /**
   * Counts the request by route and status code when its response closes: sent in full, or cut
   * short (a subscription the client ended). A request whose client left before any response
   * was sent counts as 499, the status nginx logs for a client that closed the request.
   */
  private countWhenFinished(response: ServerResponse, route: string): void {
    const count = (): void => this.metrics.countRequest(route, response.headersSent ? response.statusCode : CLIENT_CLOSED_REQUEST);
    // A GraphQL request registers after reading its body, and its connection may be gone by then.
    if (response.closed) count();
    else response.on('close', count);
  }

  /**
   * Returns the clock bucket and the token generation as one string. Responses that list tokens
   * change when a token is created or revoked, which does not move the log, so the generation
   * is part of every key. The string is kept while both stay the same.
   */
  private cacheEpoch(now: string): string {
    const generation = this.options.tokens.generation();
    if (now !== this.epoch.now || generation !== this.epoch.generation) this.epoch = { now, generation, text: `${now}\u0000${generation}` };
    return this.epoch.text;
  }

  /** "Now" rounded down to the cache interval, as ISO 8601; the string is kept for the interval. */
  private clockBucket(): string {
    const interval = this.cacheIntervalMs;
    const startMs = Math.floor(Date.now() / interval) * interval;
    if (startMs !== this.bucket.startMs) this.bucket = { startMs, iso: new Date(startMs).toISOString() };
    return this.bucket.iso;
  }
}

/**
 * GraphQL errors made for the client (validation, authorization, limits) carry no foreign
 * original error. Checked by name, because under some module loaders (Vitest) graphql-js is
 * loaded twice, once as ESM and once as CommonJS, and `instanceof` fails across the copies.
 */
/**
 * Rewrites the Relay plugin's argument errors (a negative page size, a cursor or global id this
 * API did not return) in the API's words, with the fix.
 */
function relayArgumentMessage(message: string): string {
  const pageSize = /^Argument "(first|last)" must be a non-negative integer/.exec(message);
  if (pageSize !== null) return `argument ${pageSize[1]} must be a whole number of 0 or more, e.g. ${pageSize[1]}: 20`;
  const globalId = /^Invalid global ID: (.*)$/s.exec(message);
  if (globalId !== null) return `id ${JSON.stringify(globalId[1])} is not an id this API returned; pass the id field of an object, e.g. from features { edges { node { id } } }`;
  if (/base64|cursor/i.test(message)) return 'the cursor is not one this API returned; pass pageInfo.endCursor (or startCursor) of an earlier page of the same list';
  return message;
}

function isClientError(error: unknown): boolean {
  if (!isGraphqlError(error)) return false;
  return error.originalError === undefined || error.originalError === null || isClientError(error.originalError);
}

/** Describes an error node:http raised while it read a request, with the fix for the client. */
function clientErrorRejection(error: NodeJS.ErrnoException, timeouts: ServerTimeouts): HttpError {
  if (error.code === 'ERR_HTTP_REQUEST_TIMEOUT') {
    return new HttpError(
      408,
      'REQUEST_TIMEOUT',
      `the request was not received in full within the server's limits (headers ${timeouts.headersMs} ms, whole request ${timeouts.requestMs} ms), so the server closed the connection; send the whole request at once`,
    );
  }
  if (error.code === 'HPE_HEADER_OVERFLOW') {
    return new HttpError(431, 'HEADERS_TOO_LARGE', "the request headers exceed the server's limit (node:http maxHeaderSize); send fewer or shorter headers");
  }
  return new HttpError(400, 'BAD_HTTP_REQUEST', `the request is not valid HTTP/1.1 (${error.code ?? error.message}); send a well-formed request`);
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
  // Read the body only when Yoga reads it as JSON too. Yoga reads other content types (a form, a
  // GraphQL string) its own way, and a query seen here must be the operation Yoga runs, or a
  // mutation could be cached as a query.
  if (!isJsonContentType(request.headers['content-type'])) return {};
  try {
    const parsed = JSON.parse(body.toString('utf8')) as unknown;
    return typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed) ? (parsed as GraphqlParams) : {};
  } catch {
    // Yoga returns its own error for a malformed body.
    return {};
  }
}

/**
 * Returns true when Yoga (graphql-yoga 5, `isContentTypeMatch`) reads a POST body as JSON: the
 * first of a comma-separated list of types is exactly `application/json` or
 * `application/graphql+json`, alone or followed by `;` and parameters, compared case-sensitively.
 */
export function isJsonContentType(header: string | undefined): boolean {
  if (header === undefined) return false;
  const first = header.split(',')[0]!;
  return ['application/json', 'application/graphql+json'].some((type) => first === type || first.startsWith(`${type};`));
}

/**
 * Builds the cache key from everything a query's response depends on but the log position, which
 * the cache tracks itself. That is the caller (role, token and name) and the epoch (clock bucket
 * and token generation). It is also the headers that choose how Yoga reads the request and
 * encodes the response, the method, and the request's bytes (a POST's body, a GET's query string).
 * Requests that differ only in layout get separate entries, which costs memory but never gives
 * one request another's response. Latin-1 maps each byte to one character, so the key keeps the
 * body exact without decoding UTF-8.
 */
function cacheKeyOf(request: IncomingMessage, url: URL, body: Buffer | undefined, actor: Actor, epoch: string): string {
  const text = body === undefined ? url.search : body.toString('latin1');
  return `${actor.role}\u0000${actor.tokenId ?? ''}\u0000${actor.name}\u0000${epoch}\u0000${request.method ?? ''}\u0000${request.headers.accept ?? ''}\u0000${request.headers['content-type'] ?? ''}\u0000${text}`;
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
