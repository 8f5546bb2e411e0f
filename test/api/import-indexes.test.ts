/**
 * An import decides against indexes of the log (observation identity, catalogue targets, feature
 * status). On SQLite they are built from the event types they fold alone. Built so, they must
 * equal indexes folded from every event, because otherwise an import would link records to the
 * wrong observation or miss a feature.
 */
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { indexesFromLog, indexEvent } from '../../api/imports.js';
import type { SessionIndexes } from '../../api/import-index-cache.js';
import { FeatureStatusIndex } from '../../api/feature-index.js';
import { ObservationIdentityIndex } from '../../api/identity.js';
import { TargetIndex } from '../../importers/catalogue.js';
import { domainUpcasters } from '../../domain/upcasters.js';
import type { OnskyEvent } from '../../domain/index.js';
import { openSqliteStore, type SqliteEventStore } from '../../store/sqlite.js';
import { collect } from '../contract/suite.js';
import { writeSyntheticHistory } from '../support/synthetic.js';
import { tempFolder } from '../support/temp.js';

let folder: ReturnType<typeof tempFolder>;
let store: SqliteEventStore;

beforeAll(async () => {
  folder = tempFolder('onsky-import-indexes-');
  store = openSqliteStore(join(folder.path, 'events.sqlite'), { upcasters: domainUpcasters });
  await writeSyntheticHistory(store, { events: 6000, seed: 3 });
});

afterAll(async () => {
  await store.close();
  folder.remove();
});

async function indexesFromEveryEvent(): Promise<SessionIndexes> {
  const indexes = { identity: new ObservationIdentityIndex(), targets: new TargetIndex(), features: new FeatureStatusIndex() };
  for (const event of await collect(store.readAll())) indexEvent(indexes, event.stream, event as unknown as OnskyEvent);
  return indexes;
}

describe('import indexes', () => {
  it('equal a fold of every event', async () => {
    const filtered = await indexesFromLog(store);
    const full = await indexesFromEveryEvent();
    expect(filtered.identity).toEqual(full.identity);
    expect(filtered.targets).toEqual(full.targets);
    expect(filtered.features).toEqual(full.features);
  });

  it('hold the synthetic log', async () => {
    const { identity, targets, features } = await indexesFromLog(store);
    const facts = (await collect(store.readAll())).filter((event) => event.type === 'ObservationFactsRecorded');
    const first = facts[0]!.data as { observationId: string; facts: { captureBlockId?: string } };
    expect(identity.resolve({ captureBlockId: first.facts.captureBlockId! })).toBe(first.observationId);
    expect(features.keys().size).toBeGreaterThan(0);
    const target = (await collect(store.readAll())).find((event) => event.type === 'TargetRecorded')!.data as { targetName: string };
    expect(targets.lookup(target.targetName)?.name).toBe(target.targetName);
  });
});
