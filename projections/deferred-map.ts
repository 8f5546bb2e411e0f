/**
 * A map filled from the JSON of its entries on first use. A start from a snapshot restores the
 * capture block and schedule block indexes this way: each holds an entry per observation, and
 * parsing them took about a sixth of a start while few requests need them. JSON that cannot be
 * read raises `SnapshotDamagedError` on every use, and the damage listener hears of it once.
 */
import { readPart, SnapshotDamagedError, type DamageListener } from './snapshot-damage.js';

export class DeferredMap<K, V> extends Map<K, V> {
  /** JSON array of `[key, value]` pairs, `null` once loaded. */
  private json: Buffer | null;
  private damage: SnapshotDamagedError | null = null;

  /** `part` names the JSON in messages, e.g. `capture block index`. */
  constructor(json: Buffer, private readonly part: string, private readonly onDamage: DamageListener = () => undefined) {
    super();
    this.json = json;
  }

  override get size(): number {
    this.load();
    return super.size;
  }

  override get(key: K): V | undefined {
    this.load();
    return super.get(key);
  }

  override has(key: K): boolean {
    this.load();
    return super.has(key);
  }

  override set(key: K, value: V): this {
    this.load();
    return super.set(key, value);
  }

  override delete(key: K): boolean {
    this.load();
    return super.delete(key);
  }

  override clear(): void {
    this.json = null;
    this.damage = null;
    super.clear();
  }

  override keys(): MapIterator<K> {
    this.load();
    return super.keys();
  }

  override values(): MapIterator<V> {
    this.load();
    return super.values();
  }

  override entries(): MapIterator<[K, V]> {
    this.load();
    return super.entries();
  }

  override [Symbol.iterator](): MapIterator<[K, V]> {
    return this.entries();
  }

  override forEach(callback: (value: V, key: K, map: Map<K, V>) => void, thisArgument?: unknown): void {
    this.load();
    super.forEach(callback, thisArgument);
  }

  private load(): void {
    if (this.damage !== null) throw this.damage;
    const json = this.json;
    if (json === null) return;
    let entries: [K, V][];
    try {
      // Parsed whole before the map changes, so damage leaves it empty and still unloaded.
      entries = readPart(this.part, () => {
        const parsed = JSON.parse(json.toString('utf8')) as unknown;
        if (!Array.isArray(parsed) || parsed.some((entry) => !Array.isArray(entry) || entry.length !== 2)) {
          throw new SnapshotDamagedError(`the snapshot's ${this.part} is not a list of [key, value] pairs`);
        }
        return parsed as [K, V][];
      });
    } catch (error) {
      this.damage = error as SnapshotDamagedError;
      this.onDamage(this.damage);
      throw error;
    }
    this.json = null;
    for (const [key, value] of entries) super.set(key, value);
  }
}
