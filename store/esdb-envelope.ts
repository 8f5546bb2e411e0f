/**
 * The EventStoreDB adapter's stored form. `data` is the payload as JSON. The event metadata JSON
 * contains the port metadata plus `schemaVersion`, with the correlation and causation ids under
 * `$correlationId` and `$causationId`, the keys EventStoreDB's own `$by_correlation_id` projection
 * reads.
 */
import type { AllStreamResolvedEvent, EventData, JSONType, ResolvedEvent } from '@eventstore/db-client';
import type { EventMetadata, RecordedEvent } from './port.js';
import type { SerialisedEvent } from './validate.js';

/** The metadata JSON as stored; every field optional because other writers share the log. */
interface StoredMetadata {
  readonly actor?: string;
  readonly recordedAt?: string;
  readonly occurredAt?: string;
  readonly $correlationId?: string;
  readonly $causationId?: string;
  readonly source?: EventMetadata['source'];
  readonly schemaVersion?: number;
}

/** Builds the client's event; `recordedAt` fills in when the event does not carry one. */
export function toEventData(entry: SerialisedEvent, recordedAt: string): EventData {
  const { correlationId, causationId, ...rest } = entry.event.metadata;
  const stored: StoredMetadata = {
    ...rest,
    // A given time is kept in the clock's form (milliseconds, Z), as the SQLite store keeps it,
    // because as-of reads compare record times as strings.
    recordedAt: entry.recordedAt ?? recordedAt,
    $correlationId: correlationId,
    $causationId: causationId,
    schemaVersion: entry.event.schemaVersion,
  };
  return {
    id: entry.event.id,
    type: entry.event.type,
    contentType: 'application/json',
    // Checked JSON-serialisable by validateAppend; the client stringifies it again.
    data: entry.event.data as JSONType,
    // A plain Uint8Array (not a Buffer) is sent as is, without a second JSON encoding.
    metadata: new TextEncoder().encode(JSON.stringify(stored)),
  };
}

/**
 * Converts a read event to the port's envelope, before upcasting. Returns undefined for system
 * events (type or stream starting with `$`) and for streams outside the namespace.
 */
export function toRecordedEvent(resolved: ResolvedEvent | AllStreamResolvedEvent, namespace: string): RecordedEvent | undefined {
  const event = resolved.event;
  if (event === undefined || event.type.startsWith('$') || event.streamId.startsWith('$')) return undefined;
  if (!event.streamId.startsWith(namespace)) return undefined;

  const position = event.position?.commit ?? ('commitPosition' in resolved ? resolved.commitPosition : undefined);
  if (position === undefined) {
    throw new Error(`EventStoreDB returned event ${event.id} of stream "${event.streamId}" without a log position; onsky needs a server that reports positions on reads`);
  }

  // Events written by other tools may lack onsky's fields: fall back to the server's values.
  const stored = parseMetadata(event.metadata);
  const metadata: EventMetadata & { recordedAt: string } = {
    actor: stored.actor ?? 'unknown',
    recordedAt: stored.recordedAt ?? event.created.toISOString(),
    correlationId: stored.$correlationId ?? event.id,
    causationId: stored.$causationId ?? event.id,
    ...(stored.occurredAt === undefined ? {} : { occurredAt: stored.occurredAt }),
    ...(stored.source === undefined ? {} : { source: stored.source }),
  };
  return {
    id: event.id,
    stream: event.streamId.slice(namespace.length),
    revision: Number(event.revision),
    position,
    type: event.type,
    schemaVersion: stored.schemaVersion ?? 1,
    data: event.data,
    metadata,
  };
}

function parseMetadata(metadata: unknown): StoredMetadata {
  if (metadata === null || typeof metadata !== 'object' || metadata instanceof Uint8Array) return {};
  return metadata as StoredMetadata;
}
