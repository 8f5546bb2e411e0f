/**
 * The EventStoreDB adapter: the store port on an EventStoreDB or KurrentDB node or cluster,
 * through `@eventstore/db-client` 6.2.1. Streams map one to one, optionally under a namespace
 * prefix. The port's positions are EventStoreDB commit positions. For events appended over gRPC
 * they equal the prepare positions, which are byte offsets into the transaction log.
 *
 * Stored form (store/esdb-envelope.ts): JSON data, and the port metadata in the event metadata.
 * `recordedAt` comes from this process's clock at append time (or is kept when given), never from
 * the server's `created` time, so a migrated event keeps its record time.
 *
 * Idempotence. The adapter keeps, per stream, the ids stored up to a revision (store/esdb-ids.ts;
 * revisions never change, so a cached prefix stays true). To append, it drops the ids already
 * stored and sends the rest with the cached revision as the wire expectation, even for `any`, so
 * the server writes only if no one appended since that revision. A wrong-expected-version response
 * makes the adapter read the new tail, drop what it now finds stored, check the caller's
 * expectation against the actual revision and try again. A result that rests on the cache alone
 * (all duplicates, or a conflict) is first checked by reading the tail.
 *
 * A success does not prove the cache complete, because EventStoreDB acknowledges a replay as if
 * it were a fresh write. When the events right after the expected revision carry exactly the
 * proposed ids, it returns success with their original revision and position
 * (`RequestManagerBase.Handle(AlreadyCommitted)` in EventStoreDB's source). A position at or below
 * that of the adapter's own latest earlier write gives such a replay away, and the adapter then
 * reads the stream and reports the events as duplicates. A replay of events that another process
 * stored after that write would be counted as appended, with a `nextExpectedRevision` possibly
 * behind the stream's last. So by default the adapter reads the stream's tail before each append,
 * two requests per append; `idCacheTrustMs` trades that for one request while a cache entry is
 * young.
 * NOTE: even with the read, another writer that stores these very events between the tail read and
 * the append makes the result count them as appended; the log still holds them once.
 */
import {
  END,
  BACKWARDS,
  EventStoreDBClient,
  START,
  StreamNotFoundError,
  WrongExpectedVersionError,
  excludeSystemEvents,
  streamNameFilter,
  type AllStreamResolvedEvent,
  type AppendExpectedRevision,
  type ReadPosition,
  type ResolvedEvent,
} from '@eventstore/db-client';
import { left, right, type Either } from 'fp-ts/lib/Either.js';
import type {
  AppendRequest,
  AppendResult,
  AppendSuccess,
  BatchAppendSuccess,
  BatchConflict,
  EventStore,
  ExpectedRevision,
  NewEvent,
  Position,
  ReadAllOptions,
  ReadStreamOptions,
  RecordedEvent,
  SubscribeOptions,
  Subscription,
  WrongExpectedRevision,
} from './port.js';
import { UpcasterChain, type Upcaster } from './upcast.js';
import { validateAppend, type SerialisedEvent } from './validate.js';
import { EsdbCatchUpSubscription, type EsdbLogger, type ReconnectOptions } from './esdb-subscription.js';
import { StreamIdCache, type KnownStream } from './esdb-ids.js';
import { toEventData, toRecordedEvent } from './esdb-envelope.js';

export type { EsdbLogger, ReconnectOptions } from './esdb-subscription.js';

/** Events per read request when paging through `$all` or a stream. */
const PAGE_SIZE = 1000;

/**
 * Writes an append tries before it gives up on writers that keep appending to its stream. Only
 * `any` can use them all, because an exact or `no-stream` expectation fails as a conflict once the
 * stream has moved past it.
 */
const MAX_APPEND_ATTEMPTS = 10;

/**
 * Upper bound of the random pause before the third attempt, in milliseconds. It doubles for each
 * later attempt, so ten attempts pause for at most about 0.5 s in all.
 */
const CONFLICT_BACKOFF_MS = 2;

/** Streams read concurrently while a batch checks its expectations. */
const BATCH_READ_CONCURRENCY = 8;

export interface EsdbStoreOptions {
  readonly upcasters?: readonly Upcaster[];
  /**
   * Clock for `recordedAt` and for the age of cached stream ids; injectable so tests can travel
   * in time.
   */
  readonly now?: () => Date;
  readonly logger?: EsdbLogger;
  /**
   * Prefix added to every stream name, so that several onsky deployments (or test runs) can
   * share one cluster: reads and subscriptions see only streams under it. Must not start with `$`.
   */
  readonly namespace?: string;
  /** Streams whose event ids are kept for idempotence checks. Default 10 000. */
  readonly idCacheStreams?: number;
  /**
   * Milliseconds for which an append may use a stream's cached ids without reading the stream
   * first. They count from when the server last showed the cached revision to be the stream's
   * last, by a read through this adapter that reached the stream's end or by an append it
   * accepted. Within that time after this adapter's latest write, a `no-stream` append to a stream it has not seen
   * is sent unread as well. Default 0: read before every append (two requests), which keeps
   * `appended`, `duplicates` and `nextExpectedRevision` exact.
   *
   * Above 0, such an append costs one request. The log still never contains an id twice, conflicts
   * and `any` keep their meaning, and `appendBatch` still reads every stream. But when another
   * process stored these very events after this adapter's latest write, EventStoreDB acknowledges
   * the replay as a write, so the result counts them as appended and its `nextExpectedRevision`
   * may be behind the stream's last revision (the next exact append then meets a conflict).
   */
  readonly idCacheTrustMs?: number;
  readonly reconnect?: ReconnectOptions;
}

/** Opens the adapter on a connection string such as `esdb://127.0.0.1:2113?tls=false`. */
export function openEsdbStore(connectionString: string, options: EsdbStoreOptions = {}): EsdbEventStore {
  const trustMs = options.idCacheTrustMs;
  if (trustMs !== undefined && !(Number.isFinite(trustMs) && trustMs >= 0)) {
    throw new Error(`idCacheTrustMs is ${String(trustMs)}; give a number of milliseconds from 0 (0 reads the stream before every append)`);
  }
  let client: EventStoreDBClient;
  try {
    client = EventStoreDBClient.connectionString(connectionString);
  } catch (error) {
    throw new Error(
      `EventStoreDB connection string ${JSON.stringify(connectionString)} is invalid (${(error as Error).message}); ` +
        'use the form esdb://host:2113?tls=false for one node or esdb+discover://host:2113 for a cluster',
    );
  }
  const namespace = options.namespace ?? '';
  if (namespace.startsWith('$')) {
    throw new Error(`EventStoreDB namespace "${namespace}" starts with "$", which is reserved for system streams; drop the "$"`);
  }
  return new EsdbEventStore(client, options, `${connectionString}#${namespace}`);
}

type WireResult =
  | { readonly kind: 'written'; readonly revision: number; readonly position: Position }
  | { readonly kind: 'conflict' };

export class EsdbEventStore implements EventStore {
  private readonly upcasters: UpcasterChain;
  private readonly now: () => Date;
  private readonly namespace: string;
  private readonly ids: StreamIdCache;
  private readonly idCacheTrustMs: number;
  /**
   * Position of the latest write this adapter made and the time it was sent. Every record stored
   * before that time lies at or below the position.
   */
  private lastWrite: { readonly position: Position; readonly sentAt: number } | undefined;
  private readonly subscriptions = new Set<EsdbCatchUpSubscription>();

  constructor(
    private readonly client: EventStoreDBClient,
    private readonly options: EsdbStoreOptions,
    /** The connection string and namespace, which together name one log. */
    readonly storeId: string,
  ) {
    this.upcasters = new UpcasterChain(options.upcasters);
    this.now = options.now ?? (() => new Date());
    this.namespace = options.namespace ?? '';
    this.ids = new StreamIdCache(options.idCacheStreams ?? 10_000);
    this.idCacheTrustMs = options.idCacheTrustMs ?? 0;
  }

  async append(stream: string, events: readonly NewEvent[], expectedRevision: ExpectedRevision): Promise<AppendResult> {
    const serialised = validateAppend(stream, events, expectedRevision);
    try {
      return await this.appendValidated(stream, serialised, expectedRevision, this.now().toISOString(), 'when-young');
    } catch (error) {
      this.options.logger?.warn({ err: error, stream, events: events.length }, 'EventStoreDB append failed');
      throw new Error(
        `append of ${events.length} event(s) to stream "${stream}" failed: ${(error as Error).message}; ` +
          'it may or may not have been written, and retrying it is safe because event ids make appends idempotent',
        { cause: error },
      );
    }
  }

  /**
   * EventStoreDB has no transaction across streams, so the batch is weaker than the port's
   * all-or-nothing rule. First every request's expectation is checked against freshly read
   * stream ids, and requests to one stream are checked as if the earlier ones were written. A
   * conflict there returns before anything is written. Then the requests are appended in order,
   * one EventStoreDB append each. When a writer elsewhere changes a stream between the two
   * phases, or the connection fails mid-way, the requests before the failed one stay written, and
   * the conflict or error names the failed request. Re-running the whole batch is safe because the
   * written requests are then duplicates, skipped without checking their expectations.
   */
  async appendBatch(requests: readonly AppendRequest[]): Promise<Either<BatchConflict, BatchAppendSuccess>> {
    const checked = requests.map((request) => ({
      request,
      serialised: validateAppend(request.stream, request.events, request.expectedRevision),
    }));
    const recordedAt = this.now().toISOString();

    const conflict = await this.checkBatch(checked);
    if (conflict !== undefined) return left(conflict);

    const results: AppendSuccess[] = [];
    for (const [requestIndex, { request, serialised }] of checked.entries()) {
      let result: AppendResult;
      try {
        result = await this.appendValidated(request.stream, serialised, request.expectedRevision, recordedAt, 'always');
      } catch (error) {
        this.options.logger?.warn({ err: error, stream: request.stream, requestIndex }, 'EventStoreDB batch append failed');
        throw new Error(
          `batch append failed at request ${requestIndex} (stream "${request.stream}") after ${requestIndex} request(s) were written: ` +
            `${(error as Error).message}; re-run the whole batch, which skips what was written`,
          { cause: error },
        );
      }
      if (result._tag === 'Left') {
        const written =
          requestIndex === 0
            ? 'no request of the batch was written'
            : `requests 0 to ${requestIndex - 1} of the batch were already written (EventStoreDB has no multi-stream transaction)`;
        const message = `${result.left.message}; ${written}`;
        return left({ ...result.left, requestIndex, message });
      }
      results.push(result.right);
    }
    return right({ results });
  }

  async *readStream(stream: string, options: ReadStreamOptions = {}): AsyncIterable<RecordedEvent> {
    let fromRevision = BigInt(options.fromRevision ?? 0);
    let remaining = options.maxCount ?? Number.POSITIVE_INFINITY;

    while (remaining > 0) {
      const requested = Math.min(PAGE_SIZE, remaining);
      const requestedAt = this.clock();
      const page = await this.readStreamPage(this.qualify(stream), fromRevision, requested);
      // A read from the start, or from where the cached ids stop, also refreshes them.
      const known = this.ids.get(stream) ?? (fromRevision === 0n ? this.ids.empty(stream) : undefined);
      if (known !== undefined) this.learnIds(stream, known, Number(fromRevision), page, page.length < requested, requestedAt);
      for (const resolved of page) {
        const event = this.toRecordedEvent(resolved);
        if (event === undefined) continue;
        remaining--;
        yield event;
      }
      const last = page[page.length - 1]?.event;
      if (page.length < PAGE_SIZE || last === undefined) return;
      fromRevision = last.revision + 1n;
    }
  }

  async *readAll(options: ReadAllOptions = {}): AsyncIterable<RecordedEvent> {
    // EventStoreDB reads `$all` forwards inclusively; the port's `after` is exclusive.
    let after = options.after;
    let remaining = options.maxCount ?? Number.POSITIVE_INFINITY;

    while (remaining > 0) {
      const fromPosition: ReadPosition = after === undefined ? START : { commit: after, prepare: after };
      const page = await collectPage(this.client.readAll({ fromPosition, maxCount: PAGE_SIZE }));
      for (const resolved of page) {
        const position = resolved.event?.position?.commit;
        if (position === undefined || (after !== undefined && position <= after)) continue;
        after = position;
        const event = this.toRecordedEvent(resolved);
        if (event === undefined) continue;
        remaining--;
        yield event;
        if (remaining === 0) return;
      }
      if (page.length < PAGE_SIZE) return;
    }
  }

  /** Reads `$all` backwards from its end, past system events, to the last event of this store. */
  async headPosition(): Promise<Position | undefined> {
    let from: ReadPosition = END;
    for (;;) {
      const page: AllStreamResolvedEvent[] = await collectPage(this.client.readAll({ fromPosition: from, direction: BACKWARDS, maxCount: 64 }));
      for (const resolved of page) {
        const event = this.toRecordedEvent(resolved);
        if (event !== undefined) return event.position;
      }
      const last = page[page.length - 1]?.event?.position;
      if (page.length < 64 || last === undefined) return undefined;
      from = last;
    }
  }

  subscribe(options: SubscribeOptions): Subscription {
    const subscription = new EsdbCatchUpSubscription(options, {
      client: this.client,
      filter:
        this.namespace === ''
          ? excludeSystemEvents()
          : streamNameFilter({ prefixes: [this.namespace] }),
      toRecordedEvent: (resolved) => this.toRecordedEvent(resolved),
      headPosition: () => this.headPosition(),
      logger: this.options.logger,
      reconnect: this.options.reconnect ?? {},
    });
    this.subscriptions.add(subscription);
    subscription.start();
    return {
      close: async () => {
        this.subscriptions.delete(subscription);
        await subscription.close();
      },
    };
  }

  async close(): Promise<void> {
    await Promise.all([...this.subscriptions].map((subscription) => subscription.close()));
    this.subscriptions.clear();
    await this.client.dispose();
  }

  /**
   * Appends after validation: see the file header for how duplicates are found. `trustCache`
   * selects when the cached ids may be used without reading the stream's tail first: `when-young`
   * within `idCacheTrustMs` of their last confirmation, `always` for the batch, whose check has
   * just read every stream. A stream with no cache entry is always read first.
   */
  private async appendValidated(
    stream: string,
    serialised: readonly SerialisedEvent[],
    expected: ExpectedRevision,
    recordedAt: string,
    trustCache: 'when-young' | 'always',
  ): Promise<AppendResult> {
    const cached = this.ids.get(stream);
    let known: KnownStream;
    // Whether `known` comes from a read made by this call.
    let verified: boolean;
    if (cached === undefined && expected === 'no-stream' && trustCache === 'when-young' && this.lastWriteIsYoung()) {
      // A stream this process has not seen is sent `no_stream` unread. Should it already hold
      // exactly these events, the acknowledgement carries their old position, which the check
      // after the write recognises unless they were stored after this adapter's last write.
      known = this.ids.empty(stream);
      verified = false;
    } else if (cached === undefined) {
      known = await this.loadIds(stream);
      verified = true;
    } else if (trustCache === 'always' || this.isYoung(cached)) {
      known = cached;
      verified = false;
    } else {
      known = await this.refreshIds(stream, cached);
      verified = true;
    }

    for (let attempt = 1; ; attempt++) {
      const fresh = serialised.filter((entry) => !known.ids.has(entry.event.id.toLowerCase()));
      const duplicates = serialised.length - fresh.length;
      const conflicts = expected === 'no-stream' ? known.revision !== -1 : typeof expected === 'number' && known.revision !== expected;

      // The cache only ever falls behind the stream, so a result from it alone could be wrong. The
      // caller may have seen a later revision, or a later event may carry one of the ids.
      if ((fresh.length === 0 || conflicts) && !verified) {
        known = await this.refreshIds(stream, known);
        verified = true;
        continue;
      }
      if (fresh.length === 0 && (serialised.length > 0 || !conflicts)) {
        const position = (await this.headPosition()) ?? 0n;
        return right({ nextExpectedRevision: known.revision, position, appended: 0, duplicates });
      }
      if (conflicts) return left(wrongExpectedRevision(stream, expected, known.revision));

      const sentAt = this.clock();
      const headBefore = this.lastWrite?.position;
      const outcome = await this.write(stream, fresh, known.revision, recordedAt);
      if (outcome.kind === 'written' && headBefore !== undefined && outcome.position <= headBefore) {
        // A fresh write lands after every record stored before it was sent, so this success is
        // EventStoreDB acknowledging a replay of events stored earlier, and nothing was written.
        known = await this.refreshIds(stream, known);
        verified = true;
        continue;
      }
      if (outcome.kind === 'written') {
        this.noteWrite(outcome.position, sentAt);
        this.ids.record(stream, known, fresh.map((entry) => entry.event.id), outcome.revision, sentAt);
        return right({ nextExpectedRevision: outcome.revision, position: outcome.position, appended: fresh.length, duplicates });
      }

      if (attempt >= MAX_APPEND_ATTEMPTS) {
        throw new Error(
          `append to stream "${stream}" met a concurrent writer ${attempt} times in a row; ` +
            'retry later or append with an exact expected revision',
        );
      }
      // Two writers that each read, then write, can fall into step so that one of them always
      // writes between the other's read and write. A random pause after a second conflict in a
      // row breaks the step.
      if (attempt >= 2) await sleep(Math.random() * CONFLICT_BACKOFF_MS * 2 ** (attempt - 2));
      known = await this.refreshIds(stream, known);
      verified = true;
    }
  }

  /** Checks whether the entry was confirmed within `idCacheTrustMs`. */
  private isYoung(known: KnownStream): boolean {
    return known.confirmedAt !== undefined && this.isWithinTrust(known.confirmedAt);
  }

  private lastWriteIsYoung(): boolean {
    return this.lastWrite !== undefined && this.isWithinTrust(this.lastWrite.sentAt);
  }

  /** Checks whether a time on the adapter's clock lies within `idCacheTrustMs`. A clock that went back counts as old. */
  private isWithinTrust(at: number): boolean {
    const age = this.clock() - at;
    return age >= 0 && age < this.idCacheTrustMs;
  }

  private noteWrite(position: Position, sentAt: number): void {
    if (this.lastWrite === undefined || position > this.lastWrite.position) this.lastWrite = { position, sentAt };
  }

  private clock(): number {
    return this.now().getTime();
  }

  /**
   * Checks every request of a batch against freshly read ids, simulating the earlier requests'
   * writes so that several requests to one stream check against each other.
   */
  private async checkBatch(
    checked: ReadonlyArray<{ request: AppendRequest; serialised: readonly SerialisedEvent[] }>,
  ): Promise<BatchConflict | undefined> {
    const streams = [...new Set(checked.map(({ request }) => request.stream))];
    const fresh = new Map<string, KnownStream>();
    await forEachLimited(streams, BATCH_READ_CONCURRENCY, async (stream) => {
      const cached = this.ids.get(stream);
      fresh.set(stream, cached === undefined ? await this.loadIds(stream) : await this.refreshIds(stream, cached));
    });

    const simulated = new Map<string, { revision: number; ids: Set<string> }>();
    for (const [requestIndex, { request, serialised }] of checked.entries()) {
      const known = fresh.get(request.stream)!;
      const state = simulated.get(request.stream) ?? { revision: known.revision, ids: new Set(known.ids) };
      simulated.set(request.stream, state);

      const newIds = serialised.map((entry) => entry.event.id.toLowerCase()).filter((id) => !state.ids.has(id));
      if (newIds.length === 0 && serialised.length > 0) continue;
      const expected = request.expectedRevision;
      const conflicts = expected === 'no-stream' ? state.revision !== -1 : typeof expected === 'number' && state.revision !== expected;
      if (conflicts) {
        return { ...wrongExpectedRevision(request.stream, expected, state.revision), requestIndex };
      }
      for (const id of newIds) state.ids.add(id);
      state.revision += newIds.length;
    }
    return undefined;
  }

  private async write(
    stream: string,
    fresh: readonly SerialisedEvent[],
    knownRevision: number,
    recordedAt: string,
  ): Promise<WireResult> {
    // `any` is sent as the revision the ids were read at, so nothing slips in unchecked.
    const expectedRevision: AppendExpectedRevision = knownRevision === -1 ? 'no_stream' : BigInt(knownRevision);
    const events = fresh.map((entry) => toEventData(entry, recordedAt));
    try {
      const result = await this.client.appendToStream(this.qualify(stream), events, { expectedRevision });
      const revision = Number(result.nextExpectedRevision);
      const position = result.position?.commit ?? (await this.lastPositionOf(stream));
      return { kind: 'written', revision, position };
    } catch (error) {
      if (error instanceof WrongExpectedVersionError) return { kind: 'conflict' };
      // The append may or may not have landed; forget the ids so the retry reads them afresh.
      this.ids.delete(stream);
      throw error;
    }
  }

  private async loadIds(stream: string): Promise<KnownStream> {
    return this.refreshIds(stream, this.ids.empty(stream));
  }

  /**
   * Reads the stream after the revision `known` covers, adds those ids to the cache entry and
   * confirms the entry as of the last page's request.
   */
  private async refreshIds(stream: string, known: KnownStream): Promise<KnownStream> {
    for (;;) {
      const fromRevision = known.revision + 1;
      const requestedAt = this.clock();
      const page = await this.readStreamPage(this.qualify(stream), BigInt(fromRevision), PAGE_SIZE);
      const atEnd = this.learnIds(stream, known, fromRevision, page, page.length < PAGE_SIZE, requestedAt);
      if (atEnd) return known;
    }
  }

  /**
   * Adds the ids of a page read from `fromRevision` to the entry, when the page continues what
   * the entry covers. `atEnd` is true when the page reached the stream's end, which confirms the entry as
   * of `requestedAt`. Returns whether there is nothing more to read.
   */
  private learnIds(
    stream: string,
    known: KnownStream,
    fromRevision: number,
    page: readonly ResolvedEvent[],
    atEnd: boolean,
    requestedAt: number,
  ): boolean {
    const events = page.flatMap((resolved) => (resolved.event === undefined ? [] : [resolved.event]));
    if (fromRevision > known.revision + 1) return atEnd || events.length === 0;
    const last = events[events.length - 1];
    const revision = last === undefined ? fromRevision - 1 : Number(last.revision);
    this.ids.record(stream, known, events.map((event) => event.id), revision, atEnd ? requestedAt : undefined);
    return atEnd || last === undefined;
  }

  private async lastPositionOf(stream: string): Promise<Position> {
    const page = await this.readStreamPage(this.qualify(stream), 'end', 1);
    const position = page[0]?.event?.position?.commit;
    if (position === undefined) throw new Error(`stream "${stream}" has no events right after an append to it`);
    return position;
  }

  private async readStreamPage(qualified: string, fromRevision: bigint | 'end', maxCount: number): Promise<ResolvedEvent[]> {
    const read =
      fromRevision === 'end'
        ? this.client.readStream(qualified, { fromRevision: END, direction: BACKWARDS, maxCount })
        : this.client.readStream(qualified, { fromRevision, maxCount });
    try {
      return await collectPage(read);
    } catch (error) {
      // A missing stream is a normal response on the wire; the client turns it into this error.
      if (error instanceof StreamNotFoundError) return [];
      throw error;
    }
  }

  private qualify(stream: string): string {
    return this.namespace + stream;
  }

  private toRecordedEvent(resolved: ResolvedEvent | AllStreamResolvedEvent): RecordedEvent | undefined {
    const recorded = toRecordedEvent(resolved, this.namespace);
    if (recorded === undefined || this.upcasters.isEmpty) return recorded;
    return this.upcasters.apply(recorded);
  }
}

function wrongExpectedRevision(stream: string, expected: ExpectedRevision, actual: number): WrongExpectedRevision {
  const actualText = actual === -1 ? 'the stream does not exist' : `its last revision is ${actual}`;
  return {
    kind: 'WrongExpectedRevision',
    stream,
    expected,
    actual: actual === -1 ? 'no-stream' : actual,
    message:
      `append to stream "${stream}" expected revision ${JSON.stringify(expected)} but ${actualText}; ` +
      'reload the stream, decide again and retry with its current revision',
  };
}

async function collectPage<T>(read: AsyncIterable<T>): Promise<T[]> {
  const page: T[] = [];
  for await (const item of read) page.push(item);
  return page;
}

async function forEachLimited<T>(items: readonly T[], limit: number, action: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const workers = Array.from({ length: Math.min(limit, items.length) }, async () => {
    while (next < items.length) {
      const item = items[next++]!;
      await action(item);
    }
  });
  await Promise.all(workers);
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
