/**
 * Event ids of recently used streams, for the EventStoreDB adapter's idempotence check.
 *
 * An entry states: the stream's events up to `revision` have exactly these ids. Revisions are
 * immutable once written, so an entry never becomes false; it only falls behind when another
 * process appends, which the adapter detects from a wrong-expected-version response. A soft delete
 * done outside onsky would break that assumption.
 */
export interface KnownStream {
  /** Last revision the ids cover; -1 when the stream had no events. */
  revision: number;
  /** Lower-case UUIDs. */
  readonly ids: Set<string>;
  /**
   * Time at which `revision` was last shown to be the stream's last revision, in milliseconds on
   * the adapter's clock, taken when the request was sent. A read that reached the stream's end
   * shows it, and so does an append accepted at that revision. Undefined when nothing has.
   */
  confirmedAt: number | undefined;
}

/** Least-recently-used map of stream name to known ids, bounded by number of streams. */
export class StreamIdCache {
  private readonly entries = new Map<string, KnownStream>();

  constructor(private readonly maxStreams: number) {}

  get(stream: string): KnownStream | undefined {
    const entry = this.entries.get(stream);
    if (entry !== undefined) {
      this.entries.delete(stream);
      this.entries.set(stream, entry);
    }
    return entry;
  }

  /** Returns the stream's entry, or a new one covering nothing when the stream was never read. */
  empty(stream: string): KnownStream {
    return this.entries.get(stream) ?? { revision: -1, ids: new Set(), confirmedAt: undefined };
  }

  /**
   * Adds ids stored up to `revision`, and the time the server showed `revision` to be the last
   * one, when the response showed that. The entry only moves forward, because concurrent appends
   * and reads of one stream may finish in any order and each of them states true facts. An older
   * confirmation does not cover a later revision, so moving forward without one clears it.
   */
  record(stream: string, entry: KnownStream, ids: readonly string[], revision: number, confirmedAt?: number): void {
    for (const id of ids) entry.ids.add(id.toLowerCase());
    if (revision > entry.revision) {
      entry.revision = revision;
      entry.confirmedAt = confirmedAt;
    } else if (revision === entry.revision && confirmedAt !== undefined) {
      entry.confirmedAt = Math.max(entry.confirmedAt ?? confirmedAt, confirmedAt);
    }

    this.entries.delete(stream);
    this.entries.set(stream, entry);
    if (this.entries.size > this.maxStreams) {
      const oldest = this.entries.keys().next().value as string;
      this.entries.delete(oldest);
    }
  }

  delete(stream: string): void {
    this.entries.delete(stream);
  }
}
