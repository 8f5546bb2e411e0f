import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { EXAMPLE_FILES, importExamples } from '../../api/examples.js';
import { openSqliteStore } from '../../store/sqlite.js';
import { collect } from '../contract/suite.js';
import { tempFolder } from '../support/temp.js';

describe('example data', () => {
  it('imports every file once', async () => {
    const folder = tempFolder('onsky-examples-');
    const store = openSqliteStore(join(folder.path, 'events.sqlite'));
    try {
      const first = await importExamples(store);
      expect(first.map((summary) => summary.file)).toEqual(EXAMPLE_FILES.map(([, name]) => `examples/${name}`));
      for (const summary of first) expect(summary.read, summary.file).toBeGreaterThan(0);

      const streams = new Set((await collect(store.readAll())).map((event) => event.stream));
      // Real items from the samples: the plan's features, the delaycal observation seen by the
      // SDP log and the archive, the katdal capture block, the Jira ticket.
      for (const stream of ['feature-COMM-305', 'feature-MKAIV-449', 'observation-1552039941', 'observation-1548417874', 'ticket-DEMO-2719']) {
        expect(streams.has(stream), stream).toBe(true);
      }

      const again = await importExamples(store);
      expect(again.reduce((sum, summary) => sum + summary.appended, 0)).toBe(0);
    } finally {
      await store.close();
      folder.remove();
    }
  });
});
