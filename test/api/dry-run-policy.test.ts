/**
 * A dry run of a journal reports what the deployment policy would add (deliveries and
 * suspicions) exactly as the real import then appends it, and stores nothing itself. Run on the
 * example data, whose journal delivers features and makes a verified feature suspect.
 */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { EXAMPLE_FILES, EXAMPLES_FOLDER } from '../../api/examples.js';
import { importFile } from '../../api/imports.js';
import { domainUpcasters } from '../../domain/upcasters.js';
import { openSqliteStore } from '../../store/sqlite.js';
import { tempFolder } from '../support/temp.js';

describe('a journal dry run', () => {
  it('matches the real import, policy included', async () => {
    const folder = tempFolder('onsky-dry-run-');
    const store = openSqliteStore(join(folder.path, 'events.sqlite'), { upcasters: domainUpcasters });
    try {
      for (const [format, name] of EXAMPLE_FILES) {
        if (format !== 'journal') await importFile({ store, format, path: join(EXAMPLES_FOLDER, name) });
      }
      const journal = join(EXAMPLES_FOLDER, 'journal.yaml');
      const headBefore = await store.headPosition();

      const dryRun = await importFile({ store, format: 'journal', path: journal, dryRun: true });
      expect(await store.headPosition()).toBe(headBefore);
      const real = await importFile({ store, format: 'journal', path: journal });

      expect(dryRun.eventTypes).toEqual(real.eventTypes);
      expect(dryRun.appended).toBe(real.appended);
      expect(dryRun.warnings).toEqual(real.warnings);
      expect(dryRun.reactions).toEqual(real.reactions);
      expect(real.reactions).toContainEqual(expect.objectContaining({ featureKey: 'SDP-L0-ARCHIVE', action: 'marked suspect' }));
      expect(real.reactions).toContainEqual(expect.objectContaining({ changeId: 'cbf-fengine-2019-03-07', featureKey: 'CBF-1K-START-DELAY', action: 'delivered' }));
      expect(real.eventTypes['FeatureDelivered']).toBeGreaterThan(0);
      expect(real.eventTypes['FeatureMarkedSuspect']).toBe(1);
    } finally {
      await store.close();
      folder.remove();
    }
  });
});
