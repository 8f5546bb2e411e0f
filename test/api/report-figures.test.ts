import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { importFile } from '../../api/imports.js';
import { buildReport } from '../../api/reports.js';
import { domainUpcasters } from '../../domain/upcasters.js';
import { startProjections } from '../../projections/index.js';
import { openSqliteStore } from '../../store/sqlite.js';
import { tempFolder } from '../support/temp.js';

const FIXTURES = join(import.meta.dirname, '..', 'fixtures');

describe('unverified report figures', () => {
  it('shows minutes of observing as hundredths', async () => {
    const folder = tempFolder('onsky-report-figures-');
    const store = openSqliteStore(join(folder.path, 'events.sqlite'), { upcasters: domainUpcasters });
    const projections = startProjections(store);
    try {
      // Capture block 1551803062 ran from 16:24:22.230 to 16:25:23.958: 61.728 s, 0.0171 h.
      await importFile({ store, format: 'obslog', path: join(FIXTURES, 'obslog-1551803062.log') });
      await projections.ready;
      const head = await store.headPosition();
      while (projections.position !== head) await new Promise((resolve) => setTimeout(resolve, 20));

      const report = buildReport('unverified', projections.query, { now: '2019-04-01T00:00:00Z' });
      expect(report.summary).toContain('0.02 of 0.02 observed hours (100 %) have not been looked at in detail (inspected or imaged).');
      expect(report.summary.some((sentence) => sentence.includes('no known start and end'))).toBe(false);

      // An archive row gives a start but no end, so that observation counts as 0 hours, and the report states it.
      await importFile({ store, format: 'archive', path: join(FIXTURES, 'archive-search-2019-03-08.tsv') });
      const later = await store.headPosition();
      while (projections.position !== later) await new Promise((resolve) => setTimeout(resolve, 20));
      const withArchive = buildReport('unverified', projections.query, { now: '2019-04-01T00:00:00Z' });
      const ledger = projections.query.unverifiedData({ now: '2019-04-01T00:00:00Z' });
      expect(ledger.observationsWithoutTimes).toBeGreaterThan(0);
      expect(withArchive.summary).toContain(
        `${ledger.observationsWithoutTimes} of ${ledger.observations} observations have no known start and end, so they count as 0 hours here; import their observation logs or katdal summaries to add them.`,
      );
    } finally {
      await projections.close();
      await store.close();
      folder.remove();
    }
  });
});
