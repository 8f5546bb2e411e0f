/**
 * A map filled from the JSON of its entries on first use. A start from a snapshot restores the
 * capture block and schedule block indexes this way: each holds an entry per observation, and
 * parsing them took about a sixth of a start while few requests need them.
 */
export class DeferredMap<K, V> extends Map<K, V> {
  /** JSON array of `[key, value]` pairs, `null` once loaded. */
  private json: Buffer | null;

  constructor(json: Buffer) {
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
    const json = this.json;
    if (json === null) return;
    this.json = null;
    for (const [key, value] of JSON.parse(json.toString('utf8')) as [K, V][]) super.set(key, value);
  }
}
