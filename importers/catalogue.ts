/**
 * katpoint target catalogues, one target per line: `NAME [| ALIAS …], BODY_TYPE [TAG …], COORD,
 * COORD[, (FLUX MODEL)]`. Both dialects in use are read: with spaces after the commas and a flux
 * model (`J0010-4153 | 0008-421, radec gaincal, …`) and without (`J001053-415311,radec gaincal,…`).
 * Lines starting with # are comments.
 */
import { targetStreamId } from '../domain/index.js';
import { type LineHandler, parseLinesWith } from './driver.js';
import type { TextLine } from './lines.js';
import { preview } from './obslog.js';
import { type Parsed, type ParseOptions, type Source, record, sha256, sourceName, warning } from './types.js';

/** katpoint's flux density model: log10(S/Jy) = a + b·log10(ν/MHz) + c·log10(ν/MHz)² + …, valid between the two frequencies. */
export interface FluxModel {
  readonly minFrequencyMHz: number;
  readonly maxFrequencyMHz: number;
  readonly coefficients: readonly number[];
}

export interface CatalogueTarget {
  readonly name: string;
  readonly aliases: readonly string[];
  readonly bodyType: string;
  readonly tags: readonly string[];
  /** Coordinates as written, with stray spaces removed (RA and Dec for radec targets). */
  readonly coordinates: readonly string[];
  readonly fluxModel?: FluxModel;
}

const BODY_TYPES = new Set(['radec', 'azel', 'gal', 'tle', 'special', 'xephem', 'star']);

export function parseCatalogue(source: Source, options: ParseOptions = {}): AsyncGenerator<Parsed<CatalogueTarget>> {
  return parseLinesWith(source, options, new CatalogueHandler(sourceName(source)));
}

/** Reads one catalogue line; returns an error message instead when it is not a target description. */
export function parseTargetDescription(text: string): CatalogueTarget | string {
  const fluxStart = text.indexOf('(');
  const beforeFlux = fluxStart < 0 ? text : text.slice(0, fluxStart);
  const fields = beforeFlux.split(',').map((field) => field.trim());
  while (fields.length > 0 && fields[fields.length - 1] === '') fields.pop();

  const names = (fields[0] ?? '')
    .split('|')
    .map((name) => name.trim())
    .filter((name) => name !== '');
  const [name, ...aliases] = names;
  if (name === undefined) return 'no target name before the first comma';

  const [bodyType = '', ...tags] = (fields[1] ?? '').split(/\s+/).filter((word) => word !== '');
  if (!BODY_TYPES.has(bodyType)) {
    return `body type "${preview(bodyType, 30)}" is not one of ${[...BODY_TYPES].join(', ')}`;
  }

  const coordinates = fields.slice(2).map((field) => field.replace(/\s+/g, ''));
  if ((bodyType === 'radec' || bodyType === 'azel' || bodyType === 'gal') && (coordinates.length < 2 || !coordinates.slice(0, 2).every(isCoordinate))) {
    return `a ${bodyType} target needs two coordinates such as 19:39:25.03, -63:42:45.7`;
  }

  const target = { name, aliases, bodyType, tags, coordinates };
  if (fluxStart < 0) return target;

  const fluxModel = parseFluxModel(text.slice(fluxStart));
  if (typeof fluxModel === 'string') return fluxModel;
  return fluxModel === null ? target : { ...target, fluxModel };
}

function isCoordinate(text: string): boolean {
  return /^[+-]?\d+(?::\d+(?::\d+(?:\.\d*)?)?|\.\d*)?$/.test(text);
}

/** Reads `(145. 20000. -16.9 15.4 -4.2 0.35)`; `()` means no model and returns null. */
function parseFluxModel(text: string): FluxModel | null | string {
  const match = /^\(([^)]*)\)\s*$/.exec(text.trim());
  if (match === null) return 'flux model is not closed with ")"';
  const numbers = (match[1] ?? '').trim().split(/\s+/).filter((word) => word !== '');
  if (numbers.length === 0) return null;

  const values = numbers.map(Number);
  if (values.some((value) => !Number.isFinite(value))) return `flux model "${preview(text, 60)}" contains something that is not a number`;
  if (values.length < 3) return 'flux model needs a minimum and maximum frequency in MHz and at least one coefficient';
  return { minFrequencyMHz: values[0] ?? 0, maxFrequencyMHz: values[1] ?? 0, coefficients: values.slice(2) };
}

class CatalogueHandler implements LineHandler<CatalogueTarget> {
  constructor(private readonly file: string) {}

  line(line: TextLine, out: Parsed<CatalogueTarget>[]): void {
    const text = line.text.trim();
    if (text === '' || text.startsWith('#') || /^,*$/.test(text)) return;

    const target = parseTargetDescription(text);
    if (typeof target === 'string') {
      out.push(warning(this.file, line.line, `${target}; skipped "${preview(text)}"`));
      return;
    }
    out.push(record(target, { file: this.file, line: line.line, key: target.name }, line.lazyDigest()));
  }

  end(): void {}
}

/**
 * Reduces a source name to a key under which its spellings meet. The key is upper case, without
 * spaces or a PKS prefix. B1950 names (1934-638, PKS 1934-63) become BHHMM±DD, because the third
 * declination digit is tenths of a degree that short forms drop. J2000 names (J1939-6342,
 * J193925-634243) become JHHMM±DDMM. Other names (3C48, CTA21) are only upper-cased.
 */
export function normaliseTargetName(name: string): string {
  let key = normalisedNames.get(name);
  if (key === undefined) {
    // A log names the same few targets on thousands of lines; past the limit the memo starts afresh.
    if (normalisedNames.size >= MAX_NORMALISED_NAMES) normalisedNames.clear();
    key = normaliseUncached(name);
    normalisedNames.set(name, key);
  }
  return key;
}

/** Names normalised so far, with their keys. */
const normalisedNames = new Map<string, string>();
const MAX_NORMALISED_NAMES = 10_000;

function normaliseUncached(name: string): string {
  const compact = name.toUpperCase().replace(/\s+/g, '').replace(/^PKS/, '');
  const b1950 = /^B?(\d{4})([+-])(\d{2})\d?$/.exec(compact);
  if (b1950 !== null) return `B${b1950[1]}${b1950[2]}${b1950[3]}`;
  const j2000 = /^J(\d{4})\d*(?:\.\d+)?([+-])(\d{4})\d*(?:\.\d+)?$/.exec(compact);
  if (j2000 !== null) return `J${j2000[1]}${j2000[2]}${j2000[3]}`;
  return compact;
}

export interface IndexedTarget {
  /** The first name the catalogues give the target. */
  readonly name: string;
  readonly aliases: readonly string[];
  readonly tags: readonly string[];
}

/**
 * Targets from one or more catalogues, looked up by any of their names. Two entries with a name
 * in common (after `normaliseTargetName`) are one target with the union of names and tags.
 */
/**
 * The whole state of a `TargetIndex`, as `toSnapshot` returns it and the constructor takes it.
 * Every name of a target maps to one shared entry, so a copy must keep that sharing (v8.serialize does).
 */
export interface TargetIndexSnapshot {
  readonly byKey: Map<string, { name: string; aliases: Set<string>; tags: Set<string> }>;
  readonly coordinatesByStream: Map<string, string>;
}

export class TargetIndex {
  private readonly byKey: TargetIndexSnapshot['byKey'];
  /**
   * The first non-empty coordinates recorded per target stream (`targetStreamId`), which the
   * domain keeps: a later entry for the same stream adds aliases and tags, never coordinates.
   */
  private readonly coordinatesByStream: Map<string, string>;

  /** Starts empty, or continues from a snapshot, which the index then owns and changes. */
  constructor(snapshot?: TargetIndexSnapshot) {
    this.byKey = snapshot?.byKey ?? new Map();
    this.coordinatesByStream = snapshot?.coordinatesByStream ?? new Map();
  }

  /** Returns the index's state by reference, to be serialised before the index changes again. */
  toSnapshot(): TargetIndexSnapshot {
    return { byKey: this.byKey, coordinatesByStream: this.coordinatesByStream };
  }

  /** Adds a target; `coordinates` as the domain stores them (one string) or as parsed (a list). */
  add(target: Pick<CatalogueTarget, 'name' | 'aliases' | 'tags'> & { readonly coordinates?: string | readonly string[] }): void {
    const stream = targetStreamId(target.name);
    const coordinates = (typeof target.coordinates === 'string' ? target.coordinates : (target.coordinates ?? []).join(' ')).trim();
    if (coordinates !== '' && !this.coordinatesByStream.has(stream)) this.coordinatesByStream.set(stream, coordinates);

    const names = [target.name, ...target.aliases];
    let entry = names.map((name) => this.byKey.get(normaliseTargetName(name))).find((found) => found !== undefined);
    if (entry === undefined) entry = { name: target.name, aliases: new Set(), tags: new Set() };

    for (const name of names) {
      if (name !== entry.name) entry.aliases.add(name);
      this.byKey.set(normaliseTargetName(name), entry);
    }
    for (const tag of target.tags) entry.tags.add(tag);
  }

  /** Returns the coordinates kept for the target recorded under exactly this name, if any. */
  coordinatesOf(name: string): string | undefined {
    return this.coordinatesByStream.get(targetStreamId(name));
  }

  /** Returns the tags of the named target, without copying them; `undefined` for a target not in the index. */
  tagsOf(name: string): ReadonlySet<string> | undefined {
    // Without a catalogue imported there is nothing to find, and no name to normalise.
    if (this.byKey.size === 0) return undefined;
    return this.byKey.get(normaliseTargetName(name))?.tags;
  }

  lookup(name: string): IndexedTarget | undefined {
    const entry = this.byKey.get(normaliseTargetName(name));
    return entry === undefined ? undefined : { name: entry.name, aliases: [...entry.aliases], tags: [...entry.tags] };
  }

  /** True when the named target is in the index and carries the tag (bpcal, gaincal, …). */
  hasTag(name: string, tag: string): boolean {
    return this.byKey.get(normaliseTargetName(name))?.tags.has(tag) ?? false;
  }

  /** True when both names are spellings of one indexed target. */
  sameTarget(first: string, second: string): boolean {
    const entry = this.byKey.get(normaliseTargetName(first));
    return entry !== undefined && entry === this.byKey.get(normaliseTargetName(second));
  }
}
