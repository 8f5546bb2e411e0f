/**
 * Types and helpers the per-format mappings (`*.map.ts`) share: the import command made from a
 * parsed record, with the stream it is for, a deterministic id and the record's provenance.
 */
import { observationStream, observationStreamId, type FactSource, type OnskyCommand, type TaggedTarget } from '../domain/index.js';
import type { TargetIndex } from './catalogue.js';
import type { ImportFormat } from './detect.js';
import { importEventId, uuidV5 } from './ids.js';
import type { ParsedRecord } from './types.js';

/** The origin of an imported command, as the event envelope's `metadata.source` stores it. */
export interface Provenance {
  readonly importer: ImportFormat;
  readonly file: string;
  /** The record's key when it has one, else its line number. */
  readonly locator: string;
  /** SHA-256 of the record's raw bytes. */
  readonly digest: string;
}

export interface ImportCommand {
  /** The stream the command is for; an observation stream may be re-routed by the identity index. */
  readonly stream: string;
  /**
   * Idempotency key: the same source record always gives the same id, wherever the file lies,
   * because it is built from the importer, the record key and the digest of the record's bytes.
   */
  readonly commandId: string;
  readonly command: OnskyCommand;
  readonly provenance: Provenance;
}

export interface MapContext {
  /** The user or service running the import, recorded as the actor of commands that name one. */
  readonly actor: string;
  /** Time of the import (ISO 8601 UTC), for commands whose source record carries no time. */
  readonly importedAt: string;
  /** Catalogue targets, to give observed targets their tags (bpcal, gaincal, …). */
  readonly targets?: TargetIndex;
  /** Reports a problem with the record at a 1-based line of the file being mapped, as an import warning. */
  readonly warn?: (line: number, message: string) => void;
}

export type RecordMapper<R> = (parsed: ParsedRecord<R>) => readonly ImportCommand[];

export function provenanceOf(importer: ImportFormat, parsed: ParsedRecord<unknown>): Provenance {
  const { file, key, line } = parsed.locator;
  return { importer, file, locator: key ?? String(line ?? ''), digest: parsed.digest };
}

export function factSourceOf(provenance: Provenance): FactSource {
  return { importer: provenance.importer, file: provenance.file, locator: provenance.locator };
}

/** Builds one import command; `part` distinguishes several commands made from one record. */
export function importCommand(provenance: Provenance, stream: string, command: OnskyCommand, part = ''): ImportCommand {
  const commandId = importEventId(provenance.importer, `${provenance.locator}\u0000${provenance.digest}`, `${command.type}${part === '' ? '' : `/${part}`}`);
  return { stream, commandId, command, provenance };
}

/** Returns the id of the `index`-th event a command produced, so a re-import repeats event ids too. */
export function eventIdFor(commandId: string, index: number): string {
  return uuidV5(`${commandId}/${index}`);
}

/** Names an observation's stream, or undefined when the record names no capture or schedule block. */
export function observationStreamOf(captureBlockId: string | undefined, scheduleBlockId?: string): { id: string; stream: string } | undefined {
  const id = observationStreamId({ captureBlockId, scheduleBlockId });
  return id === undefined ? undefined : { id, stream: observationStream(id) };
}

/** Tags observed target names from the catalogues, keeping the names as observed. */
export function tagTargets(names: readonly string[], context: MapContext, extraTags: (name: string) => readonly string[] = noTags): TaggedTarget[] {
  return names.map((name) => {
    const known = context.targets?.tagsOf(name);
    const extra = extraTags(name);
    const tags = extra.length === 0 ? (known ?? NO_TAGS) : new Set([...(known ?? NO_TAGS), ...extra]);
    return { name, tags: [...tags].sort() };
  });
}

const NO_TAGS: readonly string[] = [];

function noTags(): readonly string[] {
  return NO_TAGS;
}

/** Drops properties whose value is undefined or an empty string, which the domain rejects. */
export function withoutEmpty<T extends object>(value: T): T {
  const filled: Record<string, unknown> = {};
  // A loop over keys, not entries: every imported record passes through here.
  for (const name of Object.keys(value)) {
    const field = (value as Record<string, unknown>)[name];
    if (field !== undefined && field !== '') filled[name] = field;
  }
  return filled as T;
}
