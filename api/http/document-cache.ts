/**
 * A least-recently-used cache keyed by GraphQL document text, bounded by the characters of its
 * keys as well as by their count. Any caller may send a distinct document of up to the body
 * limit (1 MiB) with every request, so a cache bounded only by count could hold a gigabyte of
 * padded documents and their parsed trees.
 */

/** Limits of a `DocumentCache`. */
export interface DocumentCacheLimits {
  readonly maxEntries: number;
  /** Characters of all keys together. */
  readonly maxChars: number;
  /** Maximum length of a kept key, in characters. Longer documents are parsed on every request instead. */
  readonly maxKeyChars: number;
}

/**
 * Limits for documents: 1000 of them, 8 Mi characters in all, 64 Ki characters each. The web
 * UI's largest query is under 2 000 characters and a full introspection query under 3 000.
 */
export const DOCUMENT_CACHE_LIMITS: DocumentCacheLimits = { maxEntries: 1000, maxChars: 8 * 1024 * 1024, maxKeyChars: 64 * 1024 };

export class DocumentCache<V> {
  private readonly entries = new Map<string, V>();
  private chars = 0;

  constructor(private readonly limits: DocumentCacheLimits = DOCUMENT_CACHE_LIMITS) {}

  get(key: string): V | undefined {
    const value = this.entries.get(key);
    if (value !== undefined) {
      // Move to the end: the map's order is the least-recently-used order.
      this.entries.delete(key);
      this.entries.set(key, value);
    }
    return value;
  }

  set(key: string, value: V): void {
    if (key.length > this.limits.maxKeyChars) return;
    if (this.entries.delete(key)) this.chars -= key.length;
    this.entries.set(key, value);
    this.chars += key.length;
    while (this.entries.size > this.limits.maxEntries || this.chars > this.limits.maxChars) {
      const oldest = this.entries.keys().next().value as string;
      this.entries.delete(oldest);
      this.chars -= oldest.length;
    }
  }

  get size(): number {
    return this.entries.size;
  }

  /** Characters of all keys held. */
  get keyChars(): number {
    return this.chars;
  }
}
