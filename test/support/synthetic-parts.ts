/**
 * Building blocks of the synthetic history: a seeded random source, a time-ordered action queue
 * and the katpoint catalogue targets copied into test/fixtures.
 */
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseTargetDescription } from '../../importers/catalogue.js';

/** Mulberry32: a small, fast 32-bit generator; the same seed gives the same history. */
export class Random {
  private state: number;

  constructor(seed: number) {
    this.state = seed >>> 0;
  }

  /** Uniform in [0, 1). */
  next(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  /** Integer in [min, max]. */
  int(min: number, max: number): number {
    return min + Math.floor(this.next() * (max - min + 1));
  }

  chance(probability: number): boolean {
    return this.next() < probability;
  }

  pick<T>(items: readonly T[]): T {
    return items[Math.floor(this.next() * items.length)]!;
  }

  /** A version 4 UUID drawn from this generator. */
  uuid(): string {
    const hex = Array.from({ length: 4 }, () => Math.floor(this.next() * 4294967296).toString(16).padStart(8, '0')).join('');
    return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-${'89ab'[Math.floor(this.next() * 4)]}${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
  }

  /** 64 hex characters, standing in for a SHA-256 digest of a source record. */
  digest(): string {
    return Array.from({ length: 8 }, () => Math.floor(this.next() * 4294967296).toString(16).padStart(8, '0')).join('');
  }
}

interface Scheduled {
  readonly ms: number;
  readonly order: number;
  readonly run: () => void;
}

/** Actions ordered by time (ties: scheduling order), so record time never goes backwards. */
export class ActionQueue {
  private readonly heap: Scheduled[] = [];
  private counter = 0;

  get size(): number {
    return this.heap.length;
  }

  at(ms: number, run: () => void): void {
    this.heap.push({ ms, order: this.counter++, run });
    let index = this.heap.length - 1;
    while (index > 0) {
      const parent = (index - 1) >> 1;
      if (!this.before(this.heap[index]!, this.heap[parent]!)) break;
      [this.heap[index], this.heap[parent]] = [this.heap[parent]!, this.heap[index]!];
      index = parent;
    }
  }

  /** Removes and returns the earliest action. */
  pop(): Scheduled | undefined {
    const top = this.heap[0];
    const last = this.heap.pop();
    if (top === undefined || last === undefined || this.heap.length === 0) return top;
    this.heap[0] = last;
    let index = 0;
    for (;;) {
      const left = index * 2 + 1;
      const right = left + 1;
      let smallest = index;
      if (left < this.heap.length && this.before(this.heap[left]!, this.heap[smallest]!)) smallest = left;
      if (right < this.heap.length && this.before(this.heap[right]!, this.heap[smallest]!)) smallest = right;
      if (smallest === index) return top;
      [this.heap[index], this.heap[smallest]] = [this.heap[smallest]!, this.heap[index]!];
      index = smallest;
    }
  }

  private before(a: Scheduled, b: Scheduled): boolean {
    return a.ms < b.ms || (a.ms === b.ms && a.order < b.order);
  }
}

export interface CatalogueEntry {
  readonly name: string;
  readonly aliases: readonly string[];
  /** Body type first, as katpoint writes it: `radec bpcal`. */
  readonly tags: readonly string[];
  readonly coordinates: string;
  readonly file: string;
  readonly line: number;
}

const CATALOGUES = ['catalogue-lband-bandpass-calibrators.csv', 'catalogue-lband-gain-calibrators.csv', 'catalogue-ar1-cals.csv'];

/** Reads the katpoint catalogues in test/fixtures; the first entry of a name wins. */
export function loadCatalogues(): CatalogueEntry[] {
  const folder = join(dirname(fileURLToPath(import.meta.url)), '..', 'fixtures');
  const entries: CatalogueEntry[] = [];
  const seen = new Set<string>();
  for (const file of CATALOGUES) {
    const lines = readFileSync(join(folder, file), 'utf8').split('\n');
    lines.forEach((text, index) => {
      if (text.trim() === '' || text.startsWith('#')) return;
      const parsed = parseTargetDescription(text);
      if (typeof parsed === 'string' || seen.has(parsed.name)) return;
      seen.add(parsed.name);
      const coordinates = parsed.coordinates.slice(0, 2).join(' ');
      entries.push({ name: parsed.name, aliases: parsed.aliases, tags: [parsed.bodyType, ...parsed.tags], coordinates, file, line: index + 1 });
    });
  }
  return entries;
}

/** Receptor names m000 to m063. */
export const RECEPTORS: readonly string[] = Array.from({ length: 64 }, (_, index) => `m${String(index).padStart(3, '0')}`);

/** A few receptor sets reused across observations, as real arrays reuse their subarray layouts. */
export function receptorSets(random: Random): readonly (readonly string[])[] {
  const sets: string[][] = [[...RECEPTORS]];
  for (let variant = 0; variant < 12; variant++) {
    const out = new Set([random.int(0, 63), random.int(0, 63), random.int(0, 63)]);
    sets.push(RECEPTORS.filter((_, index) => !out.has(index)));
  }
  sets.push(RECEPTORS.slice(0, 32), RECEPTORS.slice(32), RECEPTORS.slice(0, 16));
  return sets;
}
