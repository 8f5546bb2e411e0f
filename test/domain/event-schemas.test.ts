/**
 * Event data schemas: every event onsky writes has the shape its schema describes (the example
 * data through the importers, commands through the handler, and the synthetic history), and data
 * of another shape is named by its field.
 */
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { importExamples } from '../../api/examples.js';
import { CommandHandler } from '../../api/commands/handler.js';
import { eventDataProblem } from '../../domain/event-schemas.js';
import { eventSchemaVersions, isOnskyEventType, NO_FINDING_LINKS, type OnskyCommand, type OnskyEventType } from '../../domain/index.js';
import { domainUpcasters } from '../../domain/upcasters.js';
import type { RecordedEvent } from '../../store/port.js';
import { openSqliteStore } from '../../store/sqlite.js';
import { writeSyntheticHistory } from '../support/synthetic.js';
import { definition } from './fixtures.js';
import { tempFolder } from '../support/temp.js';

let folder: ReturnType<typeof tempFolder>;
const written: RecordedEvent[] = [];

beforeAll(async () => {
  folder = tempFolder('onsky-event-schemas-');
  const examples = openSqliteStore(join(folder.path, 'examples.sqlite'), { upcasters: domainUpcasters });
  await importExamples(examples);
  for await (const event of examples.readAll()) written.push(event);
  await examples.close();
  const synthetic = openSqliteStore(join(folder.path, 'synthetic.sqlite'), { upcasters: domainUpcasters });
  await writeSyntheticHistory(synthetic, { events: 3000, seed: 7, observationsPerDay: 6, batchEvents: 500 });
  for await (const event of synthetic.readAll()) written.push(event);
  await synthetic.close();

  // The event types neither source writes, through the real command handler and deciders.
  const commanded = openSqliteStore(join(folder.path, 'commanded.sqlite'), { upcasters: domainUpcasters });
  const handler = new CommandHandler({ store: commanded });
  const key = definition.featureKey;
  const source = { importer: 'archive', file: 'archive.tsv', locator: '2' };
  const commands: OnskyCommand[] = [
    { type: 'ProposeFeature', data: { ...definition, proposedBy: 'lead', proposedAt: '2019-03-01T08:00:00Z' } },
    { type: 'RescoreFeature', data: { featureKey: key, scores: { userBusinessValue: 13, timeCriticality: 8, riskReductionOpportunityEnablement: 5, jobSize: 3 }, verificationEffort: 2, rescoredBy: 'lead', rescoredAt: '2019-03-02T08:00:00Z' } },
    { type: 'SetEvidenceCriteria', data: { featureKey: key, evidenceCriteria: { band: 'UHF', minReceptors: 40 }, setBy: 'lead', setAt: '2019-03-02T09:00:00Z' } },
    { type: 'SetFeatureTickets', data: { featureKey: key, ticketKeys: ['SR-1446'], setBy: 'lead', setAt: '2019-03-02T10:00:00Z' } },
    { type: 'WithdrawFeature', data: { featureKey: key, reason: 'superseded', withdrawnBy: 'lead', withdrawnAt: '2019-03-03T08:00:00Z' } },
    { type: 'RecordObservationFacts', data: { observationId: '1552039941', source, facts: { captureBlockId: '1552039941', band: 'L' } } },
    { type: 'LinkObservationIdentifier', data: { observationId: '1552039941', identifier: { kind: 'schedule-block', value: '20190308-0083' }, source, reason: 'same start' } },
    { type: 'UnlinkObservationIdentifier', data: { observationId: '1552039941', identifier: { kind: 'schedule-block', value: '20190308-0083' }, reason: 'linked by mistake' } },
    { type: 'RecordFinding', data: { findingId: 'FND-1', title: 'Capture stalls', symptom: 'capture-init hangs', cause: '', workaround: '', links: NO_FINDING_LINKS, recordedBy: 'eng', recordedAt: '2019-03-04T08:00:00Z' } },
    { type: 'ReviseFinding', data: { findingId: 'FND-1', cause: 'ingest waited for every receptor', revisedBy: 'eng', revisedAt: '2019-03-05T08:00:00Z' } },
    { type: 'LinkFinding', data: { findingId: 'FND-1', links: { ...NO_FINDING_LINKS, components: ['sdp.ingest'] }, linkedBy: 'eng', linkedAt: '2019-03-05T09:00:00Z' } },
  ];
  for (const command of commands) {
    const outcome = await handler.handle(command, { actor: 'lead' });
    if (outcome._tag === 'Left') throw new Error(`${command.type} was rejected: ${JSON.stringify(outcome.left)}`);
  }
  for await (const event of commanded.readAll()) written.push(event);
  await commanded.close();
}, 120_000);

afterAll(() => folder.remove());

function problemsOf(events: readonly RecordedEvent[]): string[] {
  return events.flatMap((event) => {
    if (!isOnskyEventType(event.type)) return [`${event.type} is no onsky event type`];
    const problem = eventDataProblem(event.type, event.data);
    return problem === undefined ? [] : [`${event.type} at ${event.position}: ${problem}`];
  });
}

describe('event data schemas', () => {
  it('accept every event onsky writes', () => {
    expect(written.length).toBeGreaterThan(3000);
    expect(problemsOf(written)).toEqual([]);
  });

  it('cover every event type', () => {
    const seen = new Set(written.map((event) => event.type));
    const types = Object.keys(eventSchemaVersions) as OnskyEventType[];
    expect(types.filter((type) => !seen.has(type))).toEqual([]);
  });

  it('name the field of a wrong shape', () => {
    const deployed = { changeId: 'CHG-1', deploymentId: 'CHG-1-d1', deployedAt: '2019-03-07T12:00:00Z', scope: { subarray: null, receptors: [], hosts: [] }, components: ['sdp.ingest'], deliversFeatures: [] };
    expect(eventDataProblem('ChangeDeployed', deployed)).toBeUndefined();
    const cases: Array<[string, unknown, string]> = [
      ['a list as text', { ...deployed, components: 'sdp.ingest' }, 'components: Invalid input: expected array, received string'],
      ['a time as a number', { ...deployed, deployedAt: 1551960000 }, 'deployedAt: Invalid input: expected string, received number'],
      ['a time in words', { ...deployed, deployedAt: 'yesterday' }, 'deployedAt: expected an ISO 8601 UTC time such as 2019-03-05T16:24:22Z'],
      ['a scope left out', { ...deployed, scope: null }, 'scope: Invalid input: expected object, received null'],
      ['a nested list entry', { ...deployed, scope: { subarray: null, receptors: [10], hosts: [] } }, 'scope.receptors.0: Invalid input: expected string, received number'],
      ['no data', null, 'Invalid input: expected object, received null'],
    ];
    for (const [name, data, problem] of cases) expect(eventDataProblem('ChangeDeployed', data), name).toBe(problem);
  });

  it('check anomaly kinds', () => {
    const noted = { observationId: '1552039941', source: { importer: 'sdpmc', file: 'sdpmc.log' }, notedAt: '2019-03-08T10:40:00Z' };
    expect(eventDataProblem('ObservationAnomalyNoted', { ...noted, anomaly: { kind: 'capture-done-failed', detail: 'timed out' } })).toBeUndefined();
    expect(eventDataProblem('ObservationAnomalyNoted', { ...noted, anomaly: { kind: 'stragglers', detail: 'm010 late' } })).toBe('anomaly.receptors: Invalid input: expected array, received undefined');
    expect(eventDataProblem('ObservationAnomalyNoted', { ...noted, anomaly: { kind: 'lightning', detail: '' } })).toMatch(/^anomaly\.kind: /);
  });

  it('keep figures GraphQL can return', () => {
    const rescored = { featureKey: 'SDP-1', scores: { userBusinessValue: 13, timeCriticality: 8, riskReductionOpportunityEnablement: 5, jobSize: 3 }, verificationEffort: 2, rescoredBy: 'lead', rescoredAt: '2019-03-08T00:00:00Z' };
    expect(eventDataProblem('FeatureRescored', rescored)).toBeUndefined();
    // A zero effort makes verification WSJF infinite; a score off the scale is never decided.
    expect(eventDataProblem('FeatureRescored', { ...rescored, verificationEffort: 0 })).toBe('verificationEffort: expected a WSJF score: 1, 2, 3, 5, 8, 13, 20');
    expect(eventDataProblem('FeatureRescored', { ...rescored, scores: { ...rescored.scores, jobSize: 1e308 } })).toBe('scores.jobSize: expected a WSJF score: 1, 2, 3, 5, 8, 13, 20');
    const criteria = { featureKey: 'SDP-1', setBy: 'lead', setAt: '2019-03-08T00:00:00Z' };
    expect(eventDataProblem('EvidenceCriteriaSet', { ...criteria, evidenceCriteria: { minReceptors: 2.5 } })).toMatch(/^evidenceCriteria\.minReceptors: /);
    expect(eventDataProblem('EvidenceCriteriaSet', { ...criteria, evidenceCriteria: { minReceptors: 3_000_000_000 } })).toMatch(/^evidenceCriteria\.minReceptors: /);
    expect(eventDataProblem('EvidenceCriteriaSet', { ...criteria, evidenceCriteria: { minOnTargetSeconds: -60 } })).toMatch(/^evidenceCriteria\.minOnTargetSeconds: /);
  });

  it('accept extra fields', () => {
    const withdrawn = { featureKey: 'SDP-1', reason: 'superseded', withdrawnBy: 'lead', withdrawnAt: '2019-03-08T00:00:00Z', note: 'kept by a newer tool' };
    expect(eventDataProblem('FeatureWithdrawn', withdrawn)).toBeUndefined();
  });
});
