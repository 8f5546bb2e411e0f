import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { EXAMPLE_FILES, EXAMPLES_FOLDER, importExamples } from '../../api/examples.js';
import { importFile } from '../../api/imports.js';
import { startProjections } from '../../projections/index.js';
import { openSqliteStore } from '../../store/sqlite.js';
import { collect } from '../contract/suite.js';
import { tempFolder } from '../support/temp.js';

/** katsdpcontroller merges the example journal deploys (examples/gitlog-katsdpcontroller.jsonl). */
const CONTINUUM_IMAGER_PR313 = '75d91ae4039e669ff20ffc59d952be4cebb871cb';
const DATA_WRITER_BUFFERING_PR321 = '53f968e74c0d21780c355679450a7f6bdc4c5d0b';
const BIGGER_CHUNKS_PR330 = '1d483beb438f26d46927ad46535d1ad920ecc85c';
const CAPTURE_DONE_PR331 = 'ec11a80c45e183e7469670e0bc8f93b2cd735e1b';

describe('example data', () => {
  it('imports every file once', async () => {
    const folder = tempFolder('onsky-examples-');
    const store = openSqliteStore(join(folder.path, 'events.sqlite'));
    try {
      const first = await importExamples(store);
      expect(first.map((summary) => summary.file)).toEqual(EXAMPLE_FILES.map(([, name]) => `examples/${name}`));
      for (const summary of first) expect(summary.read, summary.file).toBeGreaterThan(0);
      const journal = first.find((summary) => summary.file === 'examples/journal.yaml');
      expect(journal?.warnings).toEqual([]);

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

  it('tells the commissioning history of the journal', async () => {
    const folder = tempFolder('onsky-examples-');
    const store = openSqliteStore(join(folder.path, 'events.sqlite'));
    const projections = startProjections(store);
    try {
      await importExamples(store);
      await projections.ready;
      await waitFor(() => projections.query.featureBoard('2019-03-09T00:00:00Z').some((entry) => entry.status === 'verified'));
      const now = '2019-03-09T00:00:00Z';
      const board = new Map(projections.query.featureBoard(now).map((entry) => [entry.featureKey, entry]));

      expect(Object.fromEntries([...board].map(([key, entry]) => [key, entry.status]))).toEqual({
        'CBF-1K-START-DELAY': 'delivered',
        'COM-304': 'delivered',
        'COMM-305': 'delivered',
        'MKAIV-449': 'delivered',
        'RTS-GAIN-STABILITY': 'proposed',
        'SDP-CAPTURE-LIFECYCLE': 'verified',
        'SDP-L0-ARCHIVE': 'suspect',
      });

      // Verified with the capture block whose SDP controller log shows the whole capture cycle.
      const lifecycle = board.get('SDP-CAPTURE-LIFECYCLE')!;
      expect(lifecycle.deliveringChangeId).toBe(CAPTURE_DONE_PR331);
      expect(lifecycle.evidenceObservationIds).toEqual(['1552039941']);
      expect(lifecycle.verifiedAt).toBe('2019-03-08T12:30:00Z');

      // Verified with the katdal capture block, then made suspect by the chunk-size change,
      // which shares the katsdpcontroller component.
      const l0 = board.get('SDP-L0-ARCHIVE')!;
      expect(l0.deliveringChangeId).toBe(DATA_WRITER_BUFFERING_PR321);
      expect(l0.lastVerdict?.outcome).toBe('passed');
      expect(l0.evidenceObservationIds).toEqual(['1548417874']);
      expect(l0.suspectReasons).toEqual([
        { changeId: BIGGER_CHUNKS_PR330, sharedComponents: ['katsdpcontroller'], deployedAt: '2019-02-26T06:00:00Z', markedAt: '2019-02-26T06:00:00Z' },
      ]);

      const imaging = board.get('MKAIV-449')!;
      expect(imaging.deliveringChangeId).toBe(CONTINUUM_IMAGER_PR313);
      expect(imaging.lastVerdict?.outcome).toBe('inconclusive');
      expect(imaging.waitingSince).toBe('2018-11-14T06:00:00Z');

      // The CBF firmware change delivered the three CBF features when it was deployed.
      for (const key of ['CBF-1K-START-DELAY', 'COM-304', 'COMM-305']) {
        expect(board.get(key)?.deliveredAt, key).toBe('2019-03-07T14:00:00Z');
        expect(board.get(key)?.deliveringChangeId, key).toBe('cbf-fengine-2019-03-07');
      }

      // Verification WSJF = cost of delay / verification effort, from examples/plan.yaml:
      // COMM-305 (13+8+8)/2 = 14.5, SDP-L0-ARCHIVE (8+5+8)/2 = 10.5, CBF-1K-START-DELAY
      // (8+8+5)/3 = 7, COM-304 (5+3+5)/2 = 6.5, MKAIV-449 (13+5+8)/8 = 3.25.
      const queue = projections.query.verificationQueue(now);
      expect(queue.map((entry) => [entry.featureKey, entry.verificationWsjf])).toEqual([
        ['COMM-305', 14.5],
        ['SDP-L0-ARCHIVE', 10.5],
        ['CBF-1K-START-DELAY', 7],
        ['COM-304', 6.5],
        ['MKAIV-449', 3.25],
      ]);
      // After the chunk-size deployment only a newer observation can clear the suspicion.
      expect(queue.find((entry) => entry.featureKey === 'SDP-L0-ARCHIVE')?.evidenceNotBeforeUtc).toBe('2019-02-26T06:00:00Z');

      // The katdal capture block is archived (katdal read it from the archive) but observed only
      // a bandpass calibrator, so it cannot verify three-calibrator imaging.
      const check = projections.query.checkEvidence('MKAIV-449', '1548417874');
      expect(check?.qualifies).toBe(false);
      expect(check?.unmet.map((criterion) => criterion.criterion)).toEqual(['target-tags']);

      const observations = new Map(projections.query.searchObservations({}).items.map((item) => [item.observationId, item]));
      expect(observations.get('1548417874')?.reviewState).toBe('inspected');
      expect(observations.get('1548417874')?.archived).toBe(true);
      expect(observations.get('1551803062')?.reviewState).toBe('automated-qa');
      // The review cited schedule block 20190308-0083, which the SDP log ties to capture block 1552039941.
      expect(observations.get('1552039941')?.reviewState).toBe('automated-qa');
      expect(observations.get('sb-20190308-0077')?.archived).toBe(true);
      expect(projections.query.dataGaps().map((gap) => gap.observationId)).not.toContain('1552039941');
    } finally {
      await projections.close();
      await store.close();
      folder.remove();
    }
  });
});

describe('example data in another order', () => {
  it('catches up when the journal comes first', async () => {
    const folder = tempFolder('onsky-examples-order-');
    const store = openSqliteStore(join(folder.path, 'events.sqlite'));
    const projections = startProjections(store);
    try {
      // The journal before the plan and the logs it cites: its deployments deliver nothing yet.
      const early = await importFile({ store, format: 'journal', path: join(EXAMPLES_FOLDER, 'journal.yaml'), fileLabel: 'examples/journal.yaml' });
      expect(early.warnings.length).toBeGreaterThan(0);
      // The first start's order then imports the journal again, and its deployments' policy
      // catches up with the plan and the verifications.
      await importExamples(store);
      await projections.ready;
      const now = '2019-03-09T00:00:00Z';
      await waitFor(() => projections.query.featureBoard(now).some((entry) => entry.status === 'suspect'));
      const statuses = Object.fromEntries(projections.query.featureBoard(now).map((entry) => [entry.featureKey, entry.status]));
      expect(statuses).toEqual({
        'CBF-1K-START-DELAY': 'delivered',
        'COM-304': 'delivered',
        'COMM-305': 'delivered',
        'MKAIV-449': 'delivered',
        'RTS-GAIN-STABILITY': 'proposed',
        'SDP-CAPTURE-LIFECYCLE': 'verified',
        'SDP-L0-ARCHIVE': 'suspect',
      });

      // Deliveries caught up this way carry their deployment's correlation id too.
      const events = await collect(store.readAll());
      const deployments = new Map(events.filter((event) => event.type === 'ChangeDeployed').map((event) => [event.id, event.metadata.correlationId]));
      // A journal's deliver entries are deliveries too, caused by no deployment.
      const deliveries = events.filter((event) => event.type === 'FeatureDelivered' && deployments.has(event.metadata.causationId));
      expect(deliveries.length).toBeGreaterThan(0);
      for (const delivery of deliveries) expect(delivery.metadata.correlationId).toBe(deployments.get(delivery.metadata.causationId));
    } finally {
      await projections.close();
      await store.close();
      folder.remove();
    }
  });
});

async function waitFor(condition: () => boolean): Promise<void> {
  const deadline = Date.now() + 20_000;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('the read models did not catch up with the examples within 20 s');
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
