/**
 * A deployment recorded after the fact: it marks a verified feature suspect only when the
 * feature's evidence was observed before the deployment, because otherwise the change was live
 * while the evidence was taken.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { importFile } from '../../api/imports.js';
import { domainUpcasters } from '../../domain/upcasters.js';
import { startProjections } from '../../projections/index.js';
import { openSqliteStore } from '../../store/sqlite.js';
import { tempFolder } from '../support/temp.js';

const FIXTURES = join(import.meta.dirname, '..', 'fixtures');

const PLAN = `features:
  - key: SDP-L0-ARCHIVE
    title: L0 visibilities archived
    subsystem: SDP
    components: [katsdpcontroller]
    wsjf: { businessValue: 8, timeCriticality: 5, riskReduction: 8, jobSize: 3, verificationEffort: 2 }
    criteria: { band: L, minReceptors: 4 }
`;

/** Delivers the feature and verifies it with capture block 1548417874 (started 2019-01-25 12:04 UTC). */
const HISTORY = `journal:
  - change: sdp-1
    at: 2018-12-01T00:00:00Z
    by: engineer
    kind: software
    subsystem: SDP
    components: [katsdpcontroller]
    summary: data writers
    delivers: [SDP-L0-ARCHIVE]
  - deploy: sdp-1
    at: 2018-12-12T06:00:00Z
  - verify: SDP-L0-ARCHIVE
    at: 2019-01-28T09:00:00Z
    by: lead
    outcome: passed
    observations: [1548417874]
`;

function laterFile(deployedAt: string): string {
  return `journal:
  - change: sdp-late
    at: 2019-01-01T00:00:00Z
    by: engineer
    kind: configuration
    subsystem: SDP
    components: [katsdpcontroller]
    summary: recorded late
  - deploy: sdp-late
    at: ${deployedAt}
`;
}

async function statusAfterLateDeployment(deployedAt: string): Promise<{ status: string | undefined; evidenceStart: string | undefined }> {
  const folder = tempFolder('onsky-late-deploy-');
  const store = openSqliteStore(join(folder.path, 'events.sqlite'), { upcasters: domainUpcasters });
  const projections = startProjections(store);
  try {
    writeFileSync(join(folder.path, 'plan.yaml'), PLAN);
    writeFileSync(join(folder.path, 'history.yaml'), HISTORY);
    writeFileSync(join(folder.path, 'late.yaml'), laterFile(deployedAt));
    await importFile({ store, format: 'plan', path: join(folder.path, 'plan.yaml') });
    await importFile({ store, format: 'katdal', path: join(FIXTURES, 'katdal-summary-1548417874.txt') });
    const history = await importFile({ store, format: 'journal', path: join(folder.path, 'history.yaml') });
    expect(history.warnings).toEqual([]);
    // A separate import, so the policy reads the verification from the log, not from this session.
    const late = await importFile({ store, format: 'journal', path: join(folder.path, 'late.yaml') });
    expect(late.warnings).toEqual([]);

    await projections.ready;
    const head = await store.headPosition();
    const deadline = Date.now() + 10_000;
    while (projections.position !== head) {
      if (Date.now() > deadline) throw new Error('the read models did not catch up within 10 s');
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    const entry = projections.query.featureBoard('2019-04-01T00:00:00Z').find((feature) => feature.featureKey === 'SDP-L0-ARCHIVE');
    return { status: entry?.status, evidenceStart: projections.query.evidenceStartOf('SDP-L0-ARCHIVE') };
  } finally {
    await projections.close();
    await store.close();
    folder.remove();
  }
}

describe('a deployment recorded late', () => {
  it('spares a feature verified with later evidence', async () => {
    const { status, evidenceStart } = await statusAfterLateDeployment('2019-01-10T06:00:00Z');
    expect(status).toBe('verified');
    expect(evidenceStart).toBe('2019-01-25T12:04:36.424Z');
  });

  it('marks suspect when the evidence came first', async () => {
    const { status } = await statusAfterLateDeployment('2019-02-01T06:00:00Z');
    expect(status).toBe('suspect');
  });
});
