/**
 * Upcasting: old event versions are rewritten into the current shape as they are read, so the
 * domain and the projections only ever see current versions. The stored bytes never change.
 */

/** The parts of an event an upcaster may rewrite. */
export interface VersionedEvent {
  readonly type: string;
  readonly schemaVersion: number;
  readonly data: unknown;
}

/** Rewrites one event type from `fromVersion` to a later version (usually `fromVersion + 1`). */
export interface Upcaster {
  readonly type: string;
  readonly fromVersion: number;
  upcast(event: VersionedEvent): VersionedEvent;
}

/** Applies registered upcasters repeatedly until no upcaster matches the event's type and version. */
export class UpcasterChain {
  private readonly byKey = new Map<string, Upcaster>();
  /** Types with an upcaster, so that most events skip the chain with one set lookup. */
  private readonly types = new Set<string>();

  constructor(upcasters: readonly Upcaster[] = []) {
    for (const upcaster of upcasters) {
      const key = chainKey(upcaster.type, upcaster.fromVersion);
      if (this.byKey.has(key)) {
        throw new Error(`two upcasters registered for ${upcaster.type} version ${upcaster.fromVersion}`);
      }
      this.byKey.set(key, upcaster);
      this.types.add(upcaster.type);
    }
  }

  get isEmpty(): boolean {
    return this.byKey.size === 0;
  }

  apply<E extends VersionedEvent>(event: E): E {
    if (!this.types.has(event.type)) return event;
    let current: VersionedEvent = event;
    // A chain longer than the number of upcasters means one maps back to an earlier version.
    for (let steps = 0; steps <= this.byKey.size; steps++) {
      const upcaster = this.byKey.get(chainKey(current.type, current.schemaVersion));
      if (upcaster === undefined) {
        return current === event ? event : { ...event, ...current };
      }
      const next = upcaster.upcast(current);
      if (next.type === current.type && next.schemaVersion <= current.schemaVersion) {
        throw new Error(
          `upcaster for ${current.type} version ${current.schemaVersion} returned version ${next.schemaVersion}; it must raise the version`,
        );
      }
      current = next;
    }
    throw new Error(`upcasters for ${event.type} form a cycle`);
  }
}

function chainKey(type: string, version: number): string {
  return `${type}@${version}`;
}
