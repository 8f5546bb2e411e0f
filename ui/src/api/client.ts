/**
 * The GraphQL client: POST to /graphql with JSON, the bearer token from localStorage when one is
 * set, and subscriptions read as server-sent events from the same endpoint.
 */

const TOKEN_KEY = 'onsky.token';

/** Path of the GraphQL endpoint, relative because the same process serves the app. */
export const GRAPHQL_PATH = 'graphql';

export interface GraphQLErrorItem {
  readonly message: string;
  readonly path?: readonly (string | number)[];
  readonly extensions?: Readonly<Record<string, unknown>>;
}

/** A request that failed: the network, the HTTP status or GraphQL errors, with the server's message. */
export class ApiError extends Error {
  constructor(
    message: string,
    readonly status: number | null,
    readonly errors: readonly GraphQLErrorItem[] = [],
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

export function storedToken(): string | null {
  try {
    return localStorage.getItem(TOKEN_KEY);
  } catch {
    return null;
  }
}

export function storeToken(token: string | null): void {
  if (token === null || token.trim() === '') localStorage.removeItem(TOKEN_KEY);
  else localStorage.setItem(TOKEN_KEY, token.trim());
}

function headers(accept: string): Record<string, string> {
  const result: Record<string, string> = { 'Content-Type': 'application/json', Accept: accept };
  const token = storedToken();
  if (token !== null) result['Authorization'] = `Bearer ${token}`;
  return result;
}

function describeHttpFailure(status: number): string {
  if (status === 401) return 'The API needs a valid token (401). Paste one under "Token" in the header; an admin creates tokens with "onsky token create --role viewer".';
  if (status === 403) return 'Your token\u2019s role may not do this (403). Ask an admin for a token with a higher role.';
  return `The API answered HTTP ${status}. Check that \`onsky serve\` is running and try again.`;
}

/** Runs a query or mutation and returns its `data`; throws `ApiError` with the server's message on failure. */
export async function request<Data>(query: string, variables: Record<string, unknown> = {}, signal?: AbortSignal): Promise<Data> {
  let response: Response;
  try {
    response = await fetch(GRAPHQL_PATH, {
      method: 'POST',
      headers: headers('application/graphql-response+json, application/json'),
      body: JSON.stringify({ query, variables }),
      ...(signal === undefined ? {} : { signal }),
    });
  } catch (error) {
    if (signal?.aborted === true) throw error;
    throw new ApiError('Cannot reach the onsky API. Check that `onsky serve` is running, then reload.', null);
  }

  const body = (await response.json().catch(() => null)) as { data?: Data | null; errors?: GraphQLErrorItem[] } | null;
  const errors = body?.errors ?? [];
  // The server's 401 message names the header an API client sends; a page user needs the Token field.
  if (response.status === 401) throw new ApiError(describeHttpFailure(401), 401, errors);
  if (errors.length > 0) {
    throw new ApiError(errors.map((error) => error.message).join('\n'), response.status, errors);
  }
  if (!response.ok || body?.data == null) {
    throw new ApiError(describeHttpFailure(response.status), response.status);
  }
  return body.data;
}

/**
 * Subscribes over server-sent events (POST with `Accept: text/event-stream`, so the bearer token
 * travels in a header, which `EventSource` cannot send). Calls `onData` per `next` event and
 * reconnects after a drop with a growing delay (1 s to 30 s). Returns a function that stops it.
 */
export function subscribe<Data>(
  query: string,
  variables: Record<string, unknown>,
  onData: (data: Data) => void,
  onStatus: (connected: boolean) => void = () => undefined,
): () => void {
  const controller = new AbortController();
  let delayMs = 1000;

  const run = async (): Promise<void> => {
    while (!controller.signal.aborted) {
      try {
        const response = await fetch(GRAPHQL_PATH, {
          method: 'POST',
          headers: headers('text/event-stream'),
          body: JSON.stringify({ query, variables }),
          signal: controller.signal,
        });
        if (!response.ok || response.body === null) throw new ApiError(describeHttpFailure(response.status), response.status);
        onStatus(true);
        delayMs = 1000;
        await readEvents(response.body, (payload) => {
          const parsed = JSON.parse(payload) as { data?: Data; errors?: ReadonlyArray<{ message?: string }> };
          if (parsed.data != null) {
            onData(parsed.data);
            return;
          }
          // A result of errors alone brings no data on this stream, and the server may keep it open:
          // drop it, so the caller hears the connection as lost and can fall back to a query.
          if (parsed.errors !== undefined) throw new ApiError(parsed.errors.map((error) => error.message ?? 'unknown error').join('; '), response.status);
        });
      } catch {
        // A drop, a refused connection or a result of errors; the loop retries below unless stopped.
      }
      if (controller.signal.aborted) return;
      onStatus(false);
      await new Promise((resolve) => setTimeout(resolve, delayMs));
      delayMs = Math.min(delayMs * 2, 30_000);
    }
  };
  void run();
  return () => controller.abort();
}

/** Reads a text/event-stream body and calls `onNext` with the data of each `next` (or unnamed) event. */
async function readEvents(body: ReadableStream<Uint8Array>, onNext: (data: string) => void): Promise<void> {
  const reader = body.getReader();
  const decoder = new TextDecoder();
  let buffer = '';
  try {
    for (;;) {
      const { value, done } = await reader.read();
      if (done) return;
      buffer += decoder.decode(value, { stream: true });
      let boundary = buffer.search(/\r?\n\r?\n/);
      while (boundary >= 0) {
        const block = buffer.slice(0, boundary);
        buffer = buffer.slice(boundary).replace(/^\r?\n\r?\n/, '');
        dispatchBlock(block, onNext);
        boundary = buffer.search(/\r?\n\r?\n/);
      }
    }
  } finally {
    // Closes the connection when `onNext` threw; after the end of the stream this does nothing.
    void reader.cancel().catch(() => undefined);
  }
}

function dispatchBlock(block: string, onNext: (data: string) => void): void {
  let event = 'message';
  const data: string[] = [];
  for (const line of block.split(/\r?\n/)) {
    if (line.startsWith('event:')) event = line.slice(6).trim();
    else if (line.startsWith('data:')) data.push(line.slice(5).replace(/^ /, ''));
  }
  if (data.length > 0 && (event === 'next' || event === 'message')) onNext(data.join('\n'));
}
