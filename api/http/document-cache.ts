/**
 * Least-recently-used caches keyed by GraphQL document text, bounded by the characters of their
 * keys as well as by their count. Any caller may send a distinct document of up to the body
 * limit (1 MiB) with every request, so a cache bounded only by count could hold a gigabyte of
 * padded documents and their parsed trees.
 */
import { LRUCache } from 'lru-cache';

/** Limits of a document cache. */
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

/** Creates a document cache; `calculatedSize` is the characters of the keys it holds. */
export function documentCache<V extends {}>(limits: DocumentCacheLimits = DOCUMENT_CACHE_LIMITS): LRUCache<string, V> {
  return new LRUCache<string, V>({
    max: limits.maxEntries,
    maxSize: limits.maxChars,
    maxEntrySize: limits.maxKeyChars,
    // lru-cache takes only positive sizes, and an empty document still takes an entry.
    sizeCalculation: (_value, key) => Math.max(1, key.length),
  });
}
