/**
 * The in-memory transaction log behind the EventStoreDB stand-in: streams, `$all` positions,
 * expected-revision checks and EventStoreDB's own idempotence rules. No gRPC here; the service
 * handlers in esdb-standin.ts and esdb-standin-read.ts translate to and from the wire messages.
 */
import { randomUUID } from 'node:crypto';

/**
 * Bytes a v2-format prepare record adds around its stream name, type, data and metadata. An
 * approximation: positions only need to behave like EventStoreDB's, that is byte offsets into
 * the log that grow by the record's size, never 1, 2, 3.
 */
const RECORD_OVERHEAD = 113n;

/** Ticks (100 ns) per millisecond, the unit of the `created` metadata entry. */
const TICKS_PER_MILLISECOND = 10_000n;

export interface StoredEvent {
  /** Log position of the record; EventStoreDB reports it as both commit and prepare position. */
  readonly position: bigint;
  readonly stream: string;
  readonly revision: bigint;
  readonly id: string;
  readonly type: string;
  readonly contentType: string;
  readonly data: Uint8Array;
  readonly customMetadata: Uint8Array;
  /** Server time of the write, in ticks since the Unix epoch. */
  readonly created: bigint;
}

export interface ProposedEvent {
  readonly id: string;
  readonly type: string;
  readonly contentType: string;
  readonly data: Uint8Array;
  readonly customMetadata: Uint8Array;
}

export type WireExpectation =
  | { readonly kind: 'any' }
  | { readonly kind: 'no_stream' }
  | { readonly kind: 'stream_exists' }
  | { readonly kind: 'revision'; readonly revision: bigint };

export type AppendOutcome =
  | {
      readonly kind: 'success';
      /** Revision of the last event of the write, or -1 when the stream still does not exist. */
      readonly currentRevision: bigint;
      /** Log position of the last event written; undefined when nothing was written. */
      readonly position: bigint | undefined;
    }
  | { readonly kind: 'wrong_expected_version'; readonly currentRevision: bigint };

interface StreamState {
  readonly events: StoredEvent[];
  /** Revisions below this are hidden from stream reads: set by a soft delete. */
  truncateBefore: bigint;
}

export interface StandInLogOptions {
  /** Log position of the first record; tests start near 2^32 to cross it quickly. */
  readonly firstPosition?: bigint;
}

export class StandInLog {
  /** Every record in log order, system events included: the `$all` stream. */
  readonly all: StoredEvent[] = [];
  /** Test hook run before each client append is applied, e.g. to play a concurrent writer. */
  beforeAppend: ((stream: string) => void) | undefined;
  private readonly streams = new Map<string, StreamState>();
  private nextPosition: bigint;
  private waiters: Array<() => void> = [];

  constructor(options: StandInLogOptions = {}) {
    this.nextPosition = options.firstPosition ?? 0n;
    // A fresh node writes system records before any user event; consumers must skip them.
    this.writeSystemEvent('$settings', '$settings', { $acl: { $r: '$all' } });
    this.writeSystemEvent('$$$users', '$metadata', { $acl: { $r: '$admins' } });
  }

  /** Position the next record will be written at: one past the last record's bytes. */
  get endPosition(): bigint {
    return this.nextPosition;
  }

  /** Revision of the stream's last event, or -1 when the stream has none visible. */
  currentRevision(stream: string): bigint {
    const state = this.streams.get(stream);
    if (state === undefined || state.events.length === 0) return -1n;
    const last = state.events[state.events.length - 1]!;
    return last.revision >= state.truncateBefore ? last.revision : -1n;
  }

  /** Events of a stream visible to reads, in revision order; undefined when it does not exist. */
  streamEvents(stream: string): readonly StoredEvent[] | undefined {
    const state = this.streams.get(stream);
    if (state === undefined) return undefined;
    const visible = state.events.filter((event) => event.revision >= state.truncateBefore);
    return visible.length === 0 ? undefined : visible;
  }

  /**
   * Appends with EventStoreDB's rules. An exact expectation that matches writes without looking at
   * ids. An expectation below the current revision is idempotent only when the events after it
   * carry exactly the proposed ids. `any` and `stream_exists` are idempotent when the first
   * proposed id is found and all of them follow in order. A partial match is a conflict.
   */
  append(stream: string, expected: WireExpectation, proposed: readonly ProposedEvent[]): AppendOutcome {
    this.beforeAppend?.(stream);
    const current = this.currentRevision(stream);
    const conflict = { kind: 'wrong_expected_version', currentRevision: current } as const;

    switch (expected.kind) {
      case 'no_stream':
      case 'revision': {
        const expectedRevision = expected.kind === 'no_stream' ? -1n : expected.revision;
        if (current === expectedRevision) return this.write(stream, proposed);
        if (current < expectedRevision) return conflict;
        return this.idempotentFrom(stream, expectedRevision + 1n, proposed) ?? conflict;
      }
      case 'stream_exists':
      case 'any': {
        if (expected.kind === 'stream_exists' && current === -1n) return conflict;
        const first = proposed[0];
        const found = first === undefined ? undefined : this.findRevisionOfId(stream, first.id);
        if (found === undefined) return this.write(stream, proposed);
        return this.idempotentFrom(stream, found, proposed) ?? conflict;
      }
    }
  }

  /** Soft delete: hides the stream from reads, writes `$metadata` with `$tb`, keeps `$all`. */
  softDelete(stream: string, expected: WireExpectation): AppendOutcome {
    const current = this.currentRevision(stream);
    const matches =
      expected.kind === 'any' ||
      (expected.kind === 'no_stream' && current === -1n) ||
      (expected.kind === 'stream_exists' && current !== -1n) ||
      (expected.kind === 'revision' && expected.revision === current);
    if (!matches) return { kind: 'wrong_expected_version', currentRevision: current };
    if (current === -1n) return { kind: 'success', currentRevision: -1n, position: undefined };

    const state = this.streams.get(stream)!;
    state.truncateBefore = current + 1n;
    const metadata = this.writeSystemEvent(`$$${stream}`, '$metadata', { $tb: Number(current + 1n) });
    return { kind: 'success', currentRevision: current, position: metadata.position };
  }

  /** Writes a system record (type starting with `$`), as the server itself does. */
  writeSystemEvent(stream: string, type: string, data: unknown): StoredEvent {
    const json = new TextEncoder().encode(JSON.stringify(data));
    const revision = this.currentRevision(stream) + 1n;
    const [event] = this.writeRecords(stream, revision, [
      { id: randomUUID(), type, contentType: 'application/json', data: json, customMetadata: new Uint8Array() },
    ]);
    return event!;
  }

  /** Resolves at the next write, or when `wakeAll` runs (the server stops). */
  waitForWrite(): Promise<void> {
    return new Promise((resolve) => this.waiters.push(resolve));
  }

  wakeAll(): void {
    const waiters = this.waiters;
    this.waiters = [];
    for (const wake of waiters) wake();
  }

  /** Index in `all` of the first record at or after a position (binary search). */
  indexAtOrAfter(position: bigint): number {
    let low = 0;
    let high = this.all.length;
    while (low < high) {
      const middle = (low + high) >>> 1;
      if (this.all[middle]!.position < position) low = middle + 1;
      else high = middle;
    }
    return low;
  }

  private write(stream: string, proposed: readonly ProposedEvent[]): AppendOutcome {
    const current = this.currentRevision(stream);
    const state = this.streams.get(stream);
    // After a soft delete, revisions continue from the last event ever written.
    const lastEver = state === undefined || state.events.length === 0 ? -1n : state.events[state.events.length - 1]!.revision;
    const written = this.writeRecords(stream, (current === -1n ? lastEver : current) + 1n, proposed);
    const last = written[written.length - 1];
    return {
      kind: 'success',
      currentRevision: last?.revision ?? current,
      position: last?.position,
    };
  }

  private writeRecords(stream: string, firstRevision: bigint, proposed: readonly ProposedEvent[]): StoredEvent[] {
    let state = this.streams.get(stream);
    if (state === undefined) {
      state = { events: [], truncateBefore: 0n };
      this.streams.set(stream, state);
    }
    const created = BigInt(Date.now()) * TICKS_PER_MILLISECOND;
    const written = proposed.map((event, index) => {
      const record: StoredEvent = {
        position: this.nextPosition,
        stream,
        revision: firstRevision + BigInt(index),
        id: event.id.toLowerCase(),
        type: event.type,
        contentType: event.contentType,
        data: event.data,
        customMetadata: event.customMetadata,
        created,
      };
      this.nextPosition += recordSize(record);
      return record;
    });
    state.events.push(...written);
    this.all.push(...written);
    if (written.length > 0) this.wakeAll();
    return written;
  }

  private findRevisionOfId(stream: string, id: string): bigint | undefined {
    const wanted = id.toLowerCase();
    return this.streamEvents(stream)?.find((event) => event.id === wanted)?.revision;
  }

  /** The idempotent outcome when the stream contains exactly the proposed ids from `fromRevision`. */
  private idempotentFrom(stream: string, fromRevision: bigint, proposed: readonly ProposedEvent[]): AppendOutcome | undefined {
    const events = this.streamEvents(stream) ?? [];
    const start = events.findIndex((event) => event.revision === fromRevision);
    if (start === -1 || proposed.length === 0) return undefined;
    for (let index = 0; index < proposed.length; index++) {
      const stored = events[start + index];
      if (stored === undefined || stored.id !== proposed[index]!.id.toLowerCase()) return undefined;
    }
    const last = events[start + proposed.length - 1]!;
    return { kind: 'success', currentRevision: last.revision, position: last.position };
  }
}

function recordSize(record: StoredEvent): bigint {
  const text = Buffer.byteLength(record.stream) + Buffer.byteLength(record.type);
  return RECORD_OVERHEAD + BigInt(text + record.data.length + record.customMetadata.length);
}
