import {
  InvalidAppendError,
  type ExpectedRevision,
  type NewEvent,
} from './port.js';

/** An event checked and serialised once, ready for an adapter to write. */
export interface SerialisedEvent {
  readonly event: NewEvent;
  readonly dataJson: string;
  /** Metadata without `recordedAt`, which the adapter adds at write time when absent. */
  readonly metadataJson: string;
  /**
   * The record time the caller gave (restore, migration) in the clock's form, such as
   * 2019-03-08T10:12:26.000Z, or `undefined` when none was given. Adapters store this form because
   * record times compare as strings.
   */
  readonly recordedAt: string | undefined;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * Checks an append's arguments and serialises each payload, throwing `InvalidAppendError` on the
 * first problem so that an adapter writes nothing for a bad request.
 */
export function validateAppend(
  stream: string,
  events: readonly NewEvent[],
  expectedRevision: ExpectedRevision,
): SerialisedEvent[] {
  if (typeof stream !== 'string' || stream.trim() === '') {
    throw new InvalidAppendError('stream name is empty; pass a name such as "feature-CBF-123"', String(stream));
  }
  if (stream.startsWith('$')) {
    throw new InvalidAppendError(`stream name "${stream}" starts with "$", which is reserved for system streams`, stream);
  }
  checkExpectedRevision(stream, expectedRevision);
  if (!Array.isArray(events)) {
    throw new InvalidAppendError(`events for stream "${stream}" must be an array`, stream);
  }

  // An import appends one event to each of many streams; one event cannot repeat an id.
  const seen = events.length > 1 ? new Set<string>() : undefined;
  return events.map((event, index) => {
    // Worded only for a message: every imported event passes through here.
    const where = (): string => `event ${index} of the append to "${stream}"`;
    if (typeof event.type !== 'string' || event.type.trim() === '') {
      throw new InvalidAppendError(`${where()} has no type; give it a past-tense type such as "FeatureDelivered"`, stream, index);
    }
    if (typeof event.id !== 'string' || !UUID.test(event.id)) {
      throw new InvalidAppendError(`${where()} (${event.type}) has id ${JSON.stringify(event.id)}, which is not a UUID`, stream, index);
    }
    if (seen?.has(event.id.toLowerCase()) === true) {
      throw new InvalidAppendError(`${where()} repeats event id ${event.id} within one append`, stream, index);
    }
    seen?.add(event.id.toLowerCase());
    if (!Number.isInteger(event.schemaVersion) || event.schemaVersion < 1) {
      throw new InvalidAppendError(`${where()} (${event.type}) has schemaVersion ${String(event.schemaVersion)}; use a whole number from 1`, stream, index);
    }
    if (event.metadata === null || typeof event.metadata !== 'object' || typeof event.metadata.actor !== 'string') {
      throw new InvalidAppendError(`${where()} (${event.type}) has no metadata.actor; say who caused it`, stream, index);
    }
    const callerTime: unknown = event.metadata.recordedAt;
    const recordedAt = typeof callerTime === 'string' ? inClockForm(callerTime) : undefined;
    if (callerTime !== undefined && recordedAt === undefined) {
      throw new InvalidAppendError(`${where()} (${event.type}) has metadata.recordedAt ${JSON.stringify(callerTime)}, which is not an ISO 8601 time such as 2019-03-08T10:12:26Z`, stream, index);
    }
    return {
      event,
      dataJson: toJson(event.data, () => `${where()} (${event.type}) data`, stream, index),
      metadataJson: toJson(event.metadata, () => `${where()} (${event.type}) metadata`, stream, index),
      recordedAt,
    };
  });
}

function checkExpectedRevision(stream: string, expected: ExpectedRevision): void {
  if (expected === 'any' || expected === 'no-stream') return;
  if (typeof expected === 'number' && Number.isSafeInteger(expected) && expected >= 0) return;
  throw new InvalidAppendError(
    `expected revision ${JSON.stringify(typeof expected === 'bigint' ? String(expected) : expected)} for stream "${stream}" is not valid; ` +
      'use "no-stream", "any" or the whole-number revision of the last event',
    stream,
  );
}

/** Serialises to JSON, rejecting values that JSON would drop or mangle silently. */
function toJson(value: unknown, what: () => string, stream: string, index: number): string {
  try {
    // The allocation-free check passes almost every payload; the slower walk only runs to name
    // the problem.
    if (isPlainJson(value, 0)) return JSON.stringify(value);
    const problem = findNonJson(value, '$', new Set(), 0);
    if (problem !== undefined) {
      throw new InvalidAppendError(`${what()} is not JSON-serialisable: ${problem}`, stream, index);
    }
    return JSON.stringify(value);
  } catch (error) {
    // A getter that throws, or a Proxy that reads differently each time, fails in JSON itself.
    if (error instanceof InvalidAppendError) throw error;
    throw new InvalidAppendError(`${what()} could not be serialised: ${error instanceof Error ? error.message : String(error)}`, stream, index);
  }
}

/** An ISO 8601 date and time with seconds optional and a zone: `Z` or an offset such as +02:00. */
const ISO_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?(?:Z|[+-]\d{2}:\d{2})$/;

/** The clock's form of a record time, which `toISOString` gives for the years 0000–9999. */
const CLOCK_FORM = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;

/**
 * Returns an ISO 8601 time in the clock's form, or `undefined` for other text. Record times compare
 * as strings, so a time outside the years 0000–9999 (which `toISOString` writes ±YYYYYY) is rejected.
 */
function inClockForm(text: string): string | undefined {
  if (!ISO_TIME.test(text) || Number.isNaN(Date.parse(text))) return undefined;
  const time = new Date(text).toISOString();
  return CLOCK_FORM.test(time) ? time : undefined;
}

/** Nesting depth past which a payload is treated as suspect (a cycle, most likely). */
const MAX_DEPTH = 200;

function isPlainJson(value: unknown, depth: number): boolean {
  switch (typeof value) {
    case 'string':
    case 'boolean':
      return true;
    case 'number':
      return Number.isFinite(value);
    case 'object': {
      if (value === null) return true;
      if (depth > MAX_DEPTH) return false;
      if (Array.isArray(value)) {
        for (let i = 0; i < value.length; i++) {
          const item: unknown = value[i];
          if (item === undefined || !isPlainJson(item, depth + 1)) return false;
        }
        return true;
      }
      const prototype: unknown = Object.getPrototypeOf(value);
      if (prototype !== Object.prototype && prototype !== null) return false;
      for (const key in value) {
        const child = (value as Record<string, unknown>)[key];
        if (child !== undefined && !isPlainJson(child, depth + 1)) return false;
      }
      return true;
    }
    default:
      return false;
  }
}

/**
 * Nesting depth past which a payload is rejected: JSON.stringify recurses once per level and
 * overflows the stack some thousands of levels down, depending on the stack size.
 */
const MAX_NESTING = 1000;

/**
 * Returns where a value JSON would drop or mangle is, and why, or `undefined` when there is none.
 * `key` is the property the value is under, which JSON passes to `toJSON`. `applyToJson` is false
 * for what a `toJSON` returned, because JSON calls it once per value.
 */
function findNonJson(value: unknown, path: string, ancestors: Set<object>, depth: number, key = '', applyToJson = true): string | undefined {
  switch (typeof value) {
    case 'string':
    case 'boolean':
      return undefined;
    case 'number':
      return Number.isFinite(value) ? undefined : `${path} is ${value}`;
    case 'undefined':
      return path === '$' ? '$ is undefined' : undefined;
    case 'bigint':
      return `${path} is a bigint (${value}n); store it as a string`;
    case 'function':
    case 'symbol':
      return `${path} is a ${typeof value}`;
    case 'object': {
      if (value === null) return undefined;
      if (ancestors.has(value)) return `${path} refers back to itself`;
      if (depth >= MAX_NESTING) return `${path} is nested more than ${MAX_NESTING} levels deep; flatten the payload`;
      if (value instanceof Date) return `${path} is a Date; store it as an ISO 8601 string`;
      if (value instanceof Map || value instanceof Set) return `${path} is a ${value.constructor.name}; store it as an array or object`;
      ancestors.add(value);
      try {
        const withToJson = applyToJson && typeof (value as { toJSON?: unknown }).toJSON === 'function';
        return withToJson ? findInToJson(value as { toJSON: (key: string) => unknown }, path, ancestors, depth, key) : findInChildren(value, path, ancestors, depth);
      } finally {
        ancestors.delete(value);
      }
    }
  }
}

/** Checks what JSON writes for an object with `toJSON`: the method's result, under the same key. */
function findInToJson(value: { toJSON: (key: string) => unknown }, path: string, ancestors: Set<object>, depth: number, key: string): string | undefined {
  let written: unknown;
  try {
    written = value.toJSON(key);
  } catch (error) {
    return `${path}.toJSON() failed (${error instanceof Error ? error.message : String(error)})`;
  }
  // A toJSON that returns its own object has JSON write that object's fields.
  return written === value ? findInChildren(value, path, ancestors, depth) : findNonJson(written, path, ancestors, depth + 1, key, false);
}

/** Checks the elements of an array, or the own enumerable fields of an object, as JSON writes them. */
function findInChildren(value: object, path: string, ancestors: Set<object>, depth: number): string | undefined {
  if (Array.isArray(value)) {
    // By index, without copying: a sparse array may be millions long.
    for (let index = 0; index < value.length; index++) {
      if (!(index in value)) return `${path}[${index}] is a hole in a sparse array; fill it, with null for nothing`;
      const problem = findNonJson((value as unknown[])[index], `${path}[${index}]`, ancestors, depth + 1, String(index));
      if (problem !== undefined) return problem;
    }
    return undefined;
  }
  for (const [key, child] of Object.entries(value)) {
    const problem = findNonJson(child, `${path}.${key}`, ancestors, depth + 1, key);
    if (problem !== undefined) return problem;
  }
  return undefined;
}
