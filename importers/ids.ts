/**
 * Deterministic event ids for imported records, so that importing the same record twice yields
 * the same id and the store drops the second append as a duplicate.
 */
import { hash } from 'node:crypto';

/** The namespace of every onsky import id (a random version-4 UUID fixed once for the project). */
export const ONSKY_IMPORT_NAMESPACE = '6f1d8a52-3c0e-4b7a-9f24-5e8d1c7b0a93';

const UUID_PATTERN = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Character codes of the hex digits, by value. */
const HEX_CODES = Buffer.from('0123456789abcdef', 'latin1');

/**
 * The UUID's text, rewritten in place for each id and then copied out as one string. The version
 * digit (5) and the dashes stay; the variant digit is written with the rest.
 */
const UUID_TEXT = Buffer.from('00000000-0000-5000-8000-000000000000', 'latin1');

/** Offsets in `UUID_TEXT` of the two hex digits of each of the digest's first 16 bytes. */
const DIGIT_OFFSETS = [0, 2, 4, 6, 9, 11, 14, 16, 19, 21, 24, 26, 28, 30, 32, 34];

/** The last namespace's bytes, followed by room for a name; an import hashes millions of names in one namespace. */
let namespaceUsed = ONSKY_IMPORT_NAMESPACE;
let hashInput = namespaceBuffer(ONSKY_IMPORT_NAMESPACE, 4096);
/** Views of `hashInput` by length, kept because a view is an object and names repeat their lengths. */
let inputViews = new Map<number, Buffer>();

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
    inputViews = new Map();
    namespaceUsed = namespace;
  }
  // A UTF-8 character takes at most 3 bytes per UTF-16 code unit.
  const input = 16 + name.length * 3 <= hashInput.length ? hashInput : namespaceBuffer(namespaceUsed, 16 + Buffer.byteLength(name, 'utf8'));
  const length = 16 + input.write(name, 16, 'utf8');
  // One-shot hashing of a reused buffer costs a third of a Hash object per name. The digest comes
  // as one Latin-1 character per byte, and the id's text is written into a reused buffer. Slicing
  // and joining a hex digest made a dozen strings per id, and an import makes two ids a record.
  const view = input === hashInput ? viewOfInput(length) : input.subarray(0, length);
  const digest = hash('sha1', view, 'binary');
  for (let byte = 0; byte < 16; byte++) {
    const value = digest.charCodeAt(byte);
    const offset = DIGIT_OFFSETS[byte]!;
    UUID_TEXT[offset] = HEX_CODES[value >> 4]!;
    UUID_TEXT[offset + 1] = HEX_CODES[value & 0x0f]!;
  }
  // Version 5 in the high nibble of byte 6, variant binary 10 in the top bits of byte 8.
  UUID_TEXT[14] = HEX_CODES[5]!;
  UUID_TEXT[19] = HEX_CODES[0x8 | ((digest.charCodeAt(8) >> 4) & 0b11)]!;
  return UUID_TEXT.toString('latin1');
}

function viewOfInput(length: number): Buffer {
  let view = inputViews.get(length);
  if (view === undefined) {
    view = hashInput.subarray(0, length);
    inputViews.set(length, view);
  }
  return view;
}

/**
 * Returns the event id for one imported record. The key must identify the source record itself
 * (a capture block id, an issue key, a commit hash, or a file name with a line), never the time of
 * the import. `part` distinguishes several events made from one record.
 */
export function importEventId(importer: string, recordKey: string, part = ''): string {
  return uuidV5(part === '' ? `${importer}\u0000${recordKey}` : `${importer}\u0000${recordKey}\u0000${part}`);
}
