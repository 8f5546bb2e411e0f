/**
 * A feature's history lists its rescores, evidence-criteria and ticket changes with who made
 * them and the values they set, between the proposal and the delivery, in time order.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { featureDecider, featureStream, type FeatureCommand } from '../../domain/index.js';
import type { Projections } from '../../projections/index.js';
import { definition, FEATURE_KEY } from '../domain/fixtures.js';
import { LogBuilder } from './small-history.js';
import { projectLog, type ProjectedLog } from './support.js';

let projected: ProjectedLog;
let projections: Projections;

beforeAll(async () => {
  const log = new LogBuilder();
  const stream = featureStream(FEATURE_KEY);
  const run = (command: FeatureCommand, at: string): void => void log.run(featureDecider, stream, command, at);
  run({ type: 'ProposeFeature', data: { ...definition, proposedBy: 'lead', proposedAt: '2019-03-01T08:00:00Z' } }, '2019-03-01T08:00:00Z');
  const scores = { ...definition.scores, userBusinessValue: 13 };
  run({ type: 'RescoreFeature', data: { featureKey: FEATURE_KEY, scores, verificationEffort: 5, rescoredBy: 'importer:plan', rescoredAt: '2019-03-02T08:00:00Z' } }, '2019-03-02T08:00:00Z');
  const evidenceCriteria = { band: 'UHF', minReceptors: 16, minOnTargetSeconds: 600, targetTags: ['bpcal', 'gaincal'] };
  run({ type: 'SetEvidenceCriteria', data: { featureKey: FEATURE_KEY, evidenceCriteria, setBy: 'commissioner', setAt: '2019-03-03T08:00:00Z' } }, '2019-03-03T08:00:00Z');
  run({ type: 'SetFeatureTickets', data: { featureKey: FEATURE_KEY, ticketKeys: ['MKAIV-449', 'MKAIV-450'], setBy: 'commissioner', setAt: '2019-03-03T09:00:00Z' } }, '2019-03-03T09:00:00Z');
  run({ type: 'DeliverFeature', data: { featureKey: FEATURE_KEY, deliveredAt: '2019-03-04T08:00:00Z' } }, '2019-03-04T08:00:00Z');

  projected = await projectLog(log);
  projections = projected.projections;
});

afterAll(async () => {
  await projected.close();
});

describe('feature history', () => {
  it('orders revisions by time', () => {
    const history = projections.query.featureDetail(FEATURE_KEY, '2019-04-01T00:00:00Z')!.history;
    expect(history.map((item) => item.kind)).toEqual(['proposed', 'rescored', 'criteria-set', 'tickets-set', 'delivered']);
  });

  it('words the new values', () => {
    const history = projections.query.featureDetail(FEATURE_KEY, '2019-04-01T00:00:00Z')!.history;
    expect(history[0]?.detail).toBe('proposed by lead with tickets MKAIV-449');
    expect(history[1]?.detail).toBe('rescored by importer:plan: business value 13, time criticality 5, risk reduction 3, job size 2, verification effort 5');
    expect(history[2]?.detail).toBe('evidence criteria set by commissioner: band UHF; at least 16 receptors; at least 10 min on target; targets tagged bpcal, gaincal');
    expect(history[3]?.detail).toBe('tickets set by commissioner: MKAIV-449, MKAIV-450');
  });

  it('lists the tickets in effect', () => {
    expect(projections.query.featureDetail(FEATURE_KEY, '2019-04-01T00:00:00Z')!.ticketKeys).toEqual(['MKAIV-449', 'MKAIV-450']);
  });
});
