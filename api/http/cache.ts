/**
 * Response cache for GraphQL queries. Read models change only when the log moves, so a query's
 * response depends only on its document, variables, caller, the log position and the clock
 * bucket. Entries of an older position are dropped as soon as the position moves.
 */

export interface CachedResponse {
  readonly body: Buffer;
  readonly contentType: string;
  /** Operation name for metrics, so that a hit needs no parse of the request. */
  readonly operationName: string;
}

/** A log position; `undefined` before the read models applied any event. */
type Position = bigint | undefined;

export class ResponseCache {
  private entries = new Map<string, CachedResponse>();
  private bytes = 0;
  private position: Position | null = null;

  constructor(
    private readonly maxEntries: number,
    private readonly maxBytes: number,
  ) {}

  get(position: Position, key: string): CachedResponse | undefined {
    if (position !== this.position) return undefined;
    const entry = this.entries.get(key);
    if (entry !== undefined) {
      // Move to the end: the map's order is the least-recently-used order.
      this.entries.delete(key);
      this.entries.set(key, entry);
    }
    return entry;
  }

  set(position: Position, key: string, entry: CachedResponse): void {
    if (position !== this.position) {
      this.entries.clear();
      this.bytes = 0;
      this.position = position;
    }
    if (sizeOf(key, entry) > this.maxBytes / 4) return;
    const previous = this.entries.get(key);
    if (previous !== undefined) {
      this.entries.delete(key);
      this.bytes -= sizeOf(key, previous);
    }
    this.entries.set(key, entry);
    this.bytes += sizeOf(key, entry);
    while (this.entries.size > this.maxEntries || this.bytes > this.maxBytes) {
      const [oldestKey, oldest] = this.entries.entries().next().value as [string, CachedResponse];
      this.entries.delete(oldestKey);
      this.bytes -= sizeOf(oldestKey, oldest);
    }
  }

  get size(): number {
    return this.entries.size;
  }

  /** Bytes held, keys included. */
  get byteSize(): number {
    return this.bytes;
  }
}

/**
 * Bytes an entry holds: its body and its key. Keys carry whole request bodies (up to the 1 MiB
 * limit), so they count, at two bytes per character: V8 stores a string with any character
 * beyond Latin-1 (a token label, say) at two bytes per character.
 */
function sizeOf(key: string, entry: CachedResponse): number {
  return entry.body.length + 2 * key.length;
}
