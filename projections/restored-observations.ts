/**
 * Observations restored from a snapshot, expanded into records batch by batch on first use.
 *
 * Building every observation record up front made a start from a snapshot cost a third of a
 * rebuild, spent in JSON.parse and in collecting millions of small objects. This map keeps each
 * batch as the bytes of its snapshot lines, so a start parses none of them. A lookup parses the id
 * lines once and expands the batch it needs. Iteration expands every batch, and counting parses the
 * ids only. In every other respect the map behaves as a `Map` of records, and it iterates in the
 * order of the log: the snapshot's order, then observations added since.
 *
 * A batch that cannot be read raises `SnapshotDamagedError` on every later use that needs it, and
 * the damage listener hears of it once, so its owner can rebuild from the log.
 */
import type { ObservationRecord } from './model.js';
import { readPart, SnapshotDamagedError, type DamageListener } from './snapshot-damage.js';

/** Turns one batch line into records; the values table is parsed on the first call. */
export type ExpandBatch = (line: Buffer) => readonly ObservationRecord[];

/** A batch of observations not yet expanded: the JSON of its records and of its ids, in order. */
export interface PendingBatch {
  readonly line: Buffer;
  readonly idLine: Buffer;
}

export class RestoredObservations extends Map<string, ObservationRecord> {
  /** Batches; an entry becomes `null` once expanded. */
  private readonly batches: (PendingBatch | null)[];
  /** Ids of each expanded batch, kept until all are expanded to put the map back in log order. */
  private readonly expandedIds: (readonly string[])[] = [];
  /**
   * Observation id → index of its batch, for batches not yet expanded. Built from the id lines on
   * the first lookup that needs it, because parsing every id costs a tenth of a start.
   */
  private index: Map<string, number> | null = null;
  /** Ids the index names per pending batch, to check each batch against its id line. */
  private indexedPerBatch: number[] = [];
  /** Index of the first batch not yet expanded; every batch before it is expanded. */
  private nextBatch = 0;
  private remaining: number;
  /**
   * Set when records entered the map in another order than the log's: a batch expanded before an
   * earlier one, or a new observation added while batches were pending.
   */
  private outOfOrder = false;
  /** The first damage found; every later use that needs a pending batch raises it again. */
  private damage: SnapshotDamagedError | null = null;
  /** Dropped once every batch is expanded, so the snapshot's bytes can be collected. */
  private expand: ExpandBatch | null;

  constructor(batches: readonly PendingBatch[], expand: ExpandBatch, private readonly onDamage: DamageListener = () => undefined) {
    super();
    this.batches = [...batches];
    this.remaining = batches.length;
    this.expand = expand;
  }

  /** Batches not yet expanded. */
  get pendingBatches(): number {
    return this.remaining;
  }

  override get size(): number {
    return super.size + (this.remaining === 0 ? 0 : this.pendingIndex().size);
  }

  override get(id: string): ObservationRecord | undefined {
    const record = super.get(id);
    if (record !== undefined || this.remaining === 0) return record;
    const batch = this.pendingIndex().get(id);
    if (batch === undefined) return undefined;
    this.expandBatch(batch);
    return super.get(id);
  }

  override has(id: string): boolean {
    return super.has(id) || (this.remaining > 0 && this.pendingIndex().has(id));
  }

  override set(id: string, record: ObservationRecord): this {
    if (this.remaining > 0 && !super.has(id)) {
      const batch = this.pendingIndex().get(id);
      if (batch !== undefined) this.expandBatch(batch);
      else this.outOfOrder = true;
    }
    return super.set(id, record);
  }

  override delete(id: string): boolean {
    const batch = this.remaining > 0 ? this.pendingIndex().get(id) : undefined;
    if (batch !== undefined) this.expandBatch(batch);
    return super.delete(id);
  }

  override clear(): void {
    this.batches.length = 0;
    this.expandedIds.length = 0;
    this.index = null;
    this.indexedPerBatch = [];
    this.damage = null;
    this.expand = null;
    this.nextBatch = 0;
    this.remaining = 0;
    this.outOfOrder = false;
    super.clear();
  }

  override keys(): MapIterator<string> {
    this.expandAll();
    return super.keys();
  }

  override values(): MapIterator<ObservationRecord> {
    this.expandAll();
    return super.values();
  }

  override entries(): MapIterator<[string, ObservationRecord]> {
    this.expandAll();
    return super.entries();
  }

  override [Symbol.iterator](): MapIterator<[string, ObservationRecord]> {
    return this.entries();
  }

  override forEach(callback: (record: ObservationRecord, id: string, map: Map<string, ObservationRecord>) => void, thisArgument?: unknown): void {
    this.expandAll();
    super.forEach(callback, thisArgument);
  }

  /**
   * Expands the next batch in log order; returns false when none is left. A background task calls
   * this between other work, so the first query that reads every observation finds them built.
   */
  expandNext(): boolean {
    if (this.remaining === 0) return false;
    this.expandBatch(this.nextBatch);
    return true;
  }

  private expandAll(): void {
    while (this.expandNext());
  }

  private pendingIndex(): Map<string, number> {
    if (this.index !== null) return this.index;
    const index = new Map<string, number>();
    const counts: number[] = [];
    this.guard(() =>
      this.batches.forEach((batch, batchIndex) => {
        if (batch === null) return;
        const ids = readPart(`id line of observation batch ${batchIndex + 1}`, () => JSON.parse(batch.idLine.toString('utf8')) as unknown);
        if (!Array.isArray(ids) || ids.some((id) => typeof id !== 'string')) {
          throw new SnapshotDamagedError(`the snapshot's id line of observation batch ${batchIndex + 1} is not a list of ids`);
        }
        for (const id of ids as string[]) index.set(id, batchIndex);
        counts[batchIndex] = ids.length;
      }),
    );
    this.index = index;
    this.indexedPerBatch = counts;
    return index;
  }

  /** Runs `work`; the first damage it raises is kept and reported before it is raised again. */
  private guard<T>(work: () => T): T {
    if (this.damage !== null) throw this.damage;
    try {
      return work();
    } catch (error) {
      if (!(error instanceof SnapshotDamagedError)) throw error;
      this.damage = error;
      this.onDamage(error);
      throw error;
    }
  }

  private expandBatch(batchIndex: number): void {
    const batch = this.batches[batchIndex];
    if (batch === null || batch === undefined) return;
    // Read before anything changes, so a damaged batch stays pending rather than half applied.
    const records = this.guard(() => this.readBatch(batch, batchIndex));
    if (batchIndex !== this.nextBatch) this.outOfOrder = true;
    this.batches[batchIndex] = null;
    this.remaining -= 1;

    const ids = records.map((record) => record.observationId);
    this.expandedIds[batchIndex] = ids;
    for (const record of records) super.set(record.observationId, record);
    if (this.index !== null) for (const id of ids) this.index.delete(id);

    while (this.nextBatch < this.batches.length && this.batches[this.nextBatch] === null) this.nextBatch++;
    if (this.remaining === 0) this.finish();
  }

  /** Parses one batch and checks it against its id line when that was read. */
  private readBatch(batch: PendingBatch, batchIndex: number): readonly ObservationRecord[] {
    const expand = this.expand;
    if (expand === null) throw new Error('cannot expand an observation batch after every batch was expanded');
    const records = readPart(`observation batch ${batchIndex + 1}`, () => expand(batch.line));
    const indexed = this.index === null ? undefined : this.indexedPerBatch[batchIndex];
    const listed = indexed === undefined ? 0 : records.filter((record) => this.index!.get(record.observationId) === batchIndex).length;
    if (indexed !== undefined && listed !== indexed) {
      throw new SnapshotDamagedError(`the snapshot's observation batch ${batchIndex + 1} does not contain the ${indexed} observations its id line lists`);
    }
    return records;
  }

  /** Drops the batch bookkeeping and, when needed, re-inserts every record in log order. */
  private finish(): void {
    if (this.outOfOrder) {
      const byId = new Map(super.entries());
      super.clear();
      for (const ids of this.expandedIds) {
        for (const id of ids) {
          const record = byId.get(id);
          if (record === undefined) continue;
          super.set(id, record);
          byId.delete(id);
        }
      }
      for (const [id, record] of byId) super.set(id, record);
    }
    this.batches.length = 0;
    this.expandedIds.length = 0;
    this.index = null;
    this.indexedPerBatch = [];
    this.nextBatch = 0;
    this.outOfOrder = false;
    this.expand = null;
  }
}
