/** Helpers for the importer tests: fixture paths and in-memory sources. */
import { Readable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import type { Source } from '../../importers/types.js';

export function fixture(name: string): string {
  return fileURLToPath(new URL(`../fixtures/${name}`, import.meta.url));
}

/** Builds a source over in-memory bytes, split into chunks of `chunkBytes` to exercise chunk edges. */
export function memorySource(file: string, content: string | Uint8Array, chunkBytes = 64 * 1024): Source {
  const bytes = typeof content === 'string' ? Buffer.from(content, 'utf8') : Buffer.from(content);
  const chunks: Buffer[] = [];
  for (let start = 0; start < bytes.length; start += chunkBytes) chunks.push(bytes.subarray(start, start + chunkBytes));
  return { file, stream: Readable.from(chunks) };
}
