/**
 * The stand-in's `Streams.Read` handler: stream and `$all` reads in both directions, and
 * catch-up subscriptions with server-side filters, checkpoints and the caught-up signal.
 *
 * Wire rules copied in behaviour (not code) from EventStoreDB. A `$all` read forwards from a
 * position includes the event at that position, and backwards excludes it. A subscription from a
 * position delivers only events after it. A missing stream is a `stream_not_found` message, not a
 * gRPC error.
 */
import { randomUUID } from 'node:crypto';
import { createRequire } from 'node:module';
import type { ServerWritableStream } from '@grpc/grpc-js';
import type { StandInLog, StoredEvent } from './esdb-standin-log.js';

const require = createRequire(import.meta.url);
const streamsPb = require('@eventstore/db-client/generated/streams_pb.js') as typeof import('@eventstore/db-client/generated/streams_pb.js');
const sharedPb = require('@eventstore/db-client/generated/shared_pb.js') as typeof import('@eventstore/db-client/generated/shared_pb.js');

type ReadReq = InstanceType<typeof streamsPb.ReadReq>;
type ReadResp = InstanceType<typeof streamsPb.ReadResp>;
type ReadCall = ServerWritableStream<ReadReq, ReadResp>;

const Options = streamsPb.ReadReq.Options;

/** Default search window of a filtered read when the client sends `count` instead of `max`. */
const DEFAULT_SEARCH_WINDOW = 32;

interface Filter {
  matches(event: StoredEvent): boolean;
  /** Events scanned (matching or not) between two checkpoint messages. */
  readonly checkpointEvery: number;
}

export interface ReadHandlerOptions {
  /** Sends `caught_up` messages, as current servers do. */
  readonly sendsCaughtUp: boolean;
}

export function handleRead(log: StandInLog, call: ReadCall, options: ReadHandlerOptions): void {
  const request = call.request.getOptions();
  if (request === undefined) {
    call.destroy(new Error('ReadReq without options'));
    return;
  }
  const useStructuredIds = request.getUuidOption()?.hasStructured() ?? false;
  const filter = request.hasFilter() ? toFilter(request.getFilter()!) : undefined;
  const context: WriteContext = { call, useStructuredIds };

  if (request.hasSubscription()) {
    void runSubscription(log, request, filter, context, options).catch((error: unknown) => endWithError(call, error));
    return;
  }
  void runRead(log, request, filter, context).catch((error: unknown) => endWithError(call, error));
}

interface WriteContext {
  readonly call: ReadCall;
  readonly useStructuredIds: boolean;
}

async function runRead(
  log: StandInLog,
  request: InstanceType<typeof Options>,
  filter: Filter | undefined,
  context: WriteContext,
): Promise<void> {
  const count = BigInt(request.getCount() || '0');
  const forwards = request.getReadDirection() === Options.ReadDirection.FORWARDS;
  const selected: Array<{ event: StoredEvent; fromAll: boolean }> = [];

  if (request.hasStream()) {
    const streamOptions = request.getStream()!;
    const name = Buffer.from(streamOptions.getStreamIdentifier()!.getStreamName_asU8()).toString('utf8');
    const events = name === '$all' ? undefined : log.streamEvents(name);
    if (events === undefined) {
      const notFound = new streamsPb.ReadResp.StreamNotFound();
      notFound.setStreamIdentifier(streamOptions.getStreamIdentifier());
      await send(context.call, new streamsPb.ReadResp().setStreamNotFound(notFound));
      context.call.end();
      return;
    }
    const ordered = forwards ? events : [...events].reverse();
    const from = streamOptions.hasRevision() ? BigInt(streamOptions.getRevision()) : undefined;
    for (const event of ordered) {
      // Stream reads include the starting revision in both directions.
      if (from !== undefined && (forwards ? event.revision < from : event.revision > from)) continue;
      if (streamOptions.hasEnd() && forwards) continue;
      if (BigInt(selected.length) >= count) break;
      selected.push({ event, fromAll: false });
    }
  } else {
    const allOptions = request.getAll()!;
    const from = allOptions.hasPosition() ? BigInt(allOptions.getPosition()!.getCommitPosition()) : undefined;
    const records = forwards ? log.all : [...log.all].reverse();
    for (const event of records) {
      if (from !== undefined && (forwards ? event.position < from : event.position >= from)) continue;
      if (allOptions.hasEnd() && forwards) continue;
      if (filter !== undefined && !filter.matches(event)) continue;
      if (BigInt(selected.length) >= count) break;
      selected.push({ event, fromAll: true });
    }
  }

  for (const { event, fromAll } of selected) {
    if (context.call.cancelled) return;
    await send(context.call, toReadResp(event, fromAll, context.useStructuredIds));
  }
  context.call.end();
}

/**
 * Serves both phases in one loop: it walks the log from the start point, then waits for writes and
 * walks on, so live events wait behind a slow client exactly like historical ones.
 */
async function runSubscription(
  log: StandInLog,
  request: InstanceType<typeof Options>,
  filter: Filter | undefined,
  context: WriteContext,
  options: ReadHandlerOptions,
): Promise<void> {
  const { call } = context;
  let stopped = false;
  call.on('cancelled', () => {
    stopped = true;
    log.wakeAll();
  });

  const confirmation = new streamsPb.ReadResp.SubscriptionConfirmation().setSubscriptionId(randomUUID());
  await send(call, new streamsPb.ReadResp().setConfirmation(confirmation));

  const stream = request.hasStream()
    ? Buffer.from(request.getStream()!.getStreamIdentifier()!.getStreamName_asU8()).toString('utf8')
    : undefined;
  let index = startIndex(log, request, stream);
  const after = startPosition(request);
  let scannedSinceCheckpoint = 0;
  let caughtUp = false;

  while (!stopped && !call.cancelled) {
    while (index < log.all.length && !stopped) {
      const event = log.all[index]!;
      index++;
      if (stream !== undefined && event.stream !== stream) continue;
      if (after !== undefined && event.position <= after) continue;
      if (filter === undefined || filter.matches(event)) {
        await send(call, toReadResp(event, stream === undefined, context.useStructuredIds));
      }
      scannedSinceCheckpoint++;
      if (filter !== undefined && scannedSinceCheckpoint >= filter.checkpointEvery) {
        scannedSinceCheckpoint = 0;
        await sendCheckpoint(call, nextPositionAfter(log, index));
      }
    }
    if (!caughtUp && !stopped) {
      caughtUp = true;
      if (options.sendsCaughtUp) await send(call, new streamsPb.ReadResp().setCaughtUp(new streamsPb.ReadResp.CaughtUp()));
      // Like KurrentDB, the checkpoint sent on catching up is the end of the log, which is the
      // position the next event will take: not the position of any event delivered so far.
      if (filter !== undefined) await sendCheckpoint(call, log.endPosition);
    }
    if (index >= log.all.length && !stopped) await log.waitForWrite();
  }
}

function startIndex(log: StandInLog, request: InstanceType<typeof Options>, stream: string | undefined): number {
  if (stream !== undefined) {
    const streamOptions = request.getStream()!;
    if (streamOptions.hasEnd()) return log.all.length;
    if (!streamOptions.hasRevision()) return 0;
    const after = BigInt(streamOptions.getRevision());
    const event = log.streamEvents(stream)?.find((candidate) => candidate.revision === after);
    // A subscription from a revision not yet written waits for it without complaint.
    return event === undefined ? log.all.length : log.indexAtOrAfter(event.position) + 1;
  }
  const allOptions = request.getAll()!;
  if (allOptions.hasEnd()) return log.all.length;
  if (!allOptions.hasPosition()) return 0;
  // Events strictly after the position. A position that is no event boundary is not rejected,
  // and one beyond the end of the log silently delivers nothing until the log passes it.
  const after = BigInt(allOptions.getPosition()!.getCommitPosition());
  return log.indexAtOrAfter(after + 1n);
}

/** Returns the `$all` position a subscription starts after, when it names one. */
function startPosition(request: InstanceType<typeof Options>): bigint | undefined {
  const position = request.hasAll() ? request.getAll()!.getPosition() : undefined;
  return position === undefined ? undefined : BigInt(position.getCommitPosition());
}

function nextPositionAfter(log: StandInLog, index: number): bigint {
  return log.all[index]?.position ?? log.endPosition;
}

function toFilter(options: InstanceType<typeof Options.FilterOptions>): Filter {
  const onStream = options.hasStreamIdentifier();
  const expression = onStream ? options.getStreamIdentifier()! : options.getEventType()!;
  const regex = expression.getRegex() === '' ? undefined : new RegExp(expression.getRegex());
  const prefixes = expression.getPrefixList();
  const window = options.hasMax() ? options.getMax() : DEFAULT_SEARCH_WINDOW;
  return {
    checkpointEvery: Math.max(1, options.getCheckpointintervalmultiplier()) * window,
    matches(event) {
      const subject = onStream ? event.stream : event.type;
      if (regex !== undefined && !regex.test(subject)) return false;
      if (prefixes.length > 0 && !prefixes.some((prefix) => subject.startsWith(prefix))) return false;
      return true;
    },
  };
}

export function toReadResp(event: StoredEvent, fromAll: boolean, useStructuredIds: boolean): ReadResp {
  const recorded = new streamsPb.ReadResp.ReadEvent.RecordedEvent();
  recorded.setId(toUuid(event.id, useStructuredIds));
  recorded.setStreamIdentifier(new sharedPb.StreamIdentifier().setStreamName(Buffer.from(event.stream, 'utf8')));
  recorded.setStreamRevision(event.revision.toString());
  recorded.setCommitPosition(event.position.toString());
  recorded.setPreparePosition(event.position.toString());
  recorded.getMetadataMap().set('type', event.type);
  recorded.getMetadataMap().set('content-type', event.contentType);
  recorded.getMetadataMap().set('created', event.created.toString());
  recorded.setCustomMetadata(event.customMetadata);
  recorded.setData(event.data);

  const readEvent = new streamsPb.ReadResp.ReadEvent().setEvent(recorded);
  if (fromAll) readEvent.setCommitPosition(event.position.toString());
  else readEvent.setNoPosition(new sharedPb.Empty());
  return new streamsPb.ReadResp().setEvent(readEvent);
}

function toUuid(id: string, structured: boolean): InstanceType<typeof sharedPb.UUID> {
  const uuid = new sharedPb.UUID();
  if (!structured) return uuid.setString(id);
  const hex = id.replaceAll('-', '');
  const bits = new sharedPb.UUID.Structured()
    .setMostSignificantBits(BigInt.asIntN(64, BigInt(`0x${hex.slice(0, 16)}`)).toString())
    .setLeastSignificantBits(BigInt.asIntN(64, BigInt(`0x${hex.slice(16)}`)).toString());
  return uuid.setStructured(bits);
}

async function sendCheckpoint(call: ReadCall, position: bigint): Promise<void> {
  const checkpoint = new streamsPb.ReadResp.Checkpoint()
    .setCommitPosition(position.toString())
    .setPreparePosition(position.toString());
  await send(call, new streamsPb.ReadResp().setCheckpoint(checkpoint));
}

/** Writes one message, waiting for the client to drain when its buffer is full. */
async function send(call: ReadCall, message: ReadResp): Promise<void> {
  if (call.cancelled || call.destroyed) return;
  if (!call.write(message)) {
    await new Promise<void>((resolve) => {
      const done = () => {
        call.off('drain', done);
        call.off('cancelled', done);
        call.off('close', done);
        resolve();
      };
      call.on('drain', done);
      call.on('cancelled', done);
      call.on('close', done);
    });
  }
}

function endWithError(call: ReadCall, error: unknown): void {
  if (call.cancelled || call.destroyed) return;
  call.destroy(error instanceof Error ? error : new Error(String(error)));
}
