/**
 * Deterministic event ids for imported records, so that importing the same record twice yields
 * the same id and the store drops the second append as a duplicate.
 */
import { createHash } from 'node:crypto';

/** The namespace of every onsky import id (a random version-4 UUID fixed once for the project). */
export const ONSKY_IMPORT_NAMESPACE = '6f1d8a52-3c0e-4b7a-9f24-5e8d1c7b0a93';

const UUID_PATTERN = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * Builds a name-based UUID as RFC 9562 defines version 5: the first 16 bytes of SHA-1 over the
 * namespace's 16 bytes followed by the name's UTF-8 bytes, with the version and variant bits set.
 */
export function uuidV5(name: string, namespace: string = ONSKY_IMPORT_NAMESPACE): string {
  if (!UUID_PATTERN.test(namespace)) {
    throw new Error(`namespace "${namespace}" is not a UUID; pass one like ${ONSKY_IMPORT_NAMESPACE}`);
  }

  const digest = createHash('sha1').update(Buffer.from(namespace.replaceAll('-', ''), 'hex')).update(name, 'utf8').digest();
  const bytes = digest.subarray(0, 16);
  bytes[6] = ((bytes[6] ?? 0) & 0x0f) | 0x50;
  bytes[8] = ((bytes[8] ?? 0) & 0x3f) | 0x80;

  const hex = bytes.toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/**
 * Returns the event id for one imported record. The key must identify the source record itself
 * (a capture block id, an issue key, a commit hash, or a file name with a line), never the time of
 * the import. `part` distinguishes several events made from one record.
 */
export function importEventId(importer: string, recordKey: string, part = ''): string {
  return uuidV5(part === '' ? `${importer}\u0000${recordKey}` : `${importer}\u0000${recordKey}\u0000${part}`);
}
