/**
 * Upcasters of the domain's events: each rewrites one event type from an older schema version to
 * the next as the store reads it, so deciders and projections only see current versions. Every
 * place that opens a store for onsky (the CLI, the server, the benchmarks) passes
 * `domainUpcasters`, and the stored events are never rewritten.
 */
import type { Upcaster, VersionedEvent } from '../store/upcast.js';
import { versionOrNull } from './change.js';

/**
 * ChangeRecorded 1 → 2: `version` changes from an empty text for "no version" to `null`.
 *
 * Why: procedures, hardware swaps and untagged commits have no version, and version 1 wrote
 * `''` for them. Every reader then had to remember that `''` is a sentinel, whereas `null` is
 * the convention the other optional fields of the events use (`changeId`, `subarray`,
 * `archivedAt`). Version 2 also treats a blank version (only spaces) as none, as the decider does.
 * No other field changes.
 */
export const changeRecordedV1ToV2: Upcaster = {
  type: 'ChangeRecorded',
  fromVersion: 1,
  upcast(event: VersionedEvent): VersionedEvent {
    const data = event.data as Record<string, unknown>;
    const version = data.version;
    return {
      type: event.type,
      schemaVersion: 2,
      data: { ...data, version: typeof version === 'string' ? versionOrNull(version) : null },
    };
  },
};

/**
 * FeatureProposed 1 → 2: adds `ticketKeys`, the Jira tickets that track the feature, as an empty
 * list.
 *
 * Why: a plan names each feature's tickets, and version 1 had no field for them, so they were
 * read and dropped. A version 1 event names no tickets, which is what the empty list means.
 */
export const featureProposedV1ToV2: Upcaster = {
  type: 'FeatureProposed',
  fromVersion: 1,
  upcast(event: VersionedEvent): VersionedEvent {
    return { type: event.type, schemaVersion: 2, data: { ...(event.data as Record<string, unknown>), ticketKeys: [] } };
  },
};

/** Every domain upcaster; pass it as the `upcasters` option of `openSqliteStore` and `openEsdbStore`. */
export const domainUpcasters: readonly Upcaster[] = [changeRecordedV1ToV2, featureProposedV1ToV2];
