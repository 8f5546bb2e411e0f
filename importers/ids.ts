/**
 * Deterministic event ids for imported records, so that importing the same record twice yields
 * the same id and the store drops the second append as a duplicate.
 */
import { hash } from 'node:crypto';

/** The namespace of every onsky import id (a random version-4 UUID fixed once for the project). */
export const ONSKY_IMPORT_NAMESPACE = '6f1d8a52-3c0e-4b7a-9f24-5e8d1c7b0a93';

const UUID_PATTERN = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** The hex digit of the variant nibble (binary 10xx) for each value of a nibble's low two bits. */
const VARIANT_DIGITS = '89ab';

/** The last namespace's bytes, followed by room for a name; an import hashes millions of names in one namespace. */
let namespaceUsed = ONSKY_IMPORT_NAMESPACE;
let hashInput = namespaceBuffer(ONSKY_IMPORT_NAMESPACE, 4096);

function namespaceBuffer(namespace: string, size: number): Buffer {
  const buffer = Buffer.alloc(size);
  buffer.write(namespace.replaceAll('-', ''), 0, 'hex');
  return buffer;
}

/**
 * Builds a name-based UUID as RFC 9562 defines version 5: the first 16 bytes of SHA-1 over the
 * namespace's 16 bytes followed by the name's UTF-8 bytes, with the version and variant bits set.
 */
export function uuidV5(name: string, namespace: string = ONSKY_IMPORT_NAMESPACE): string {
  if (namespace !== namespaceUsed) {
    if (!UUID_PATTERN.test(namespace)) {
      throw new Error(`namespace "${namespace}" is not a UUID; pass one like ${ONSKY_IMPORT_NAMESPACE}`);
    }
    hashInput = namespaceBuffer(namespace, hashInput.length);
    namespaceUsed = namespace;
  }
  // A UTF-8 character takes at most 3 bytes per UTF-16 code unit.
  const input = 16 + name.length * 3 <= hashInput.length ? hashInput : namespaceBuffer(namespaceUsed, 16 + Buffer.byteLength(name, 'utf8'));
  const length = 16 + input.write(name, 16, 'utf8');
  // One-shot hashing of a reused buffer costs a third of a Hash object per name.
  const hex = hash('sha1', input.subarray(0, length), 'hex');
  const variant = VARIANT_DIGITS[Number.parseInt(hex[16] ?? '0', 16) & 0b11];
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-5${hex.slice(13, 16)}-${variant}${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}

/**
 * Returns the event id for one imported record. The key must identify the source record itself
 * (a capture block id, an issue key, a commit hash, or a file name with a line), never the time of
 * the import. `part` distinguishes several events made from one record.
 */
export function importEventId(importer: string, recordKey: string, part = ''): string {
  return uuidV5(part === '' ? `${importer}\u0000${recordKey}` : `${importer}\u0000${recordKey}\u0000${part}`);
}
