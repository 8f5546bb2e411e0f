/**
 * A small, readable commissioning history for the read-model tests. Every event comes from the
 * domain's deciders and deployment policy, and each is recorded at the time it happened, so
 * as-of queries see the history unfold. The expected values in the tests are worked out by hand
 * from the facts written here.
 */
import * as E from 'fp-ts/lib/Either.js';
import {
  changeDecider,
  changeStream,
  commandsAfterChangeDeployed,
  eventSchemaVersions,
  featureDecider,
  featureStream,
  findingDecider,
  findingStream,
  observationDecider,
  observationStream,
  targetDecider,
  targetStream,
  ticketDecider,
  ticketStream,
  type Decider,
  type DomainError,
  type EvidenceCriteria,
  type EvidenceFacts,
  type FeatureState,
  type OnskyEvent,
} from '../../domain/index.js';
import type { AppendRequest, EventStore } from '../../store/port.js';

export const NOW = '2019-03-10T12:00:00Z';

/** Capture block 1551600000 is 2019-03-03T08:00:00Z; 1551700000 is 2019-03-04T11:46:40Z. */
export const O1 = '1551600000';
export const O2 = '1551700000';
export const O3 = 'sb-20190305-0002';

const RECEPTORS = (count: number): string[] => Array.from({ length: count }, (_, index) => `m${String(index).padStart(3, '0')}`);

/** Runs commands through the deciders and keeps the events in the order they were recorded. */
export class LogBuilder {
  readonly requests: { request: AppendRequest; at: string }[] = [];
  private readonly states = new Map<string, unknown>();
  private counter = 0;

  run<C, Ev extends OnskyEvent, S>(decider: Decider<C, Ev, S, DomainError>, stream: string, command: C, at: string): readonly Ev[] {
    const before = (this.states.get(stream) as S | undefined) ?? decider.initialState;
    const decision = decider.decide(command, before);
    if (E.isLeft(decision)) throw new Error(`small history: ${decision.left.message}`);
    let after = before;
    for (const event of decision.right) after = decider.evolve(after, event);
    this.states.set(stream, after);
    const events = decision.right.map((event) => ({
      id: `00000000-0000-4000-8000-${String(++this.counter).padStart(12, '0')}`,
      type: event.type,
      schemaVersion: eventSchemaVersions[event.type],
      data: event.data,
      metadata: { actor: 'test', recordedAt: at, correlationId: 'c', causationId: 'c' },
    }));
    if (events.length > 0) this.requests.push({ request: { stream, events, expectedRevision: 'any' }, at });
    return decision.right;
  }

  state<S>(stream: string): S | undefined {
    return this.states.get(stream) as S | undefined;
  }

  /** Appends every request in order, one call each, so record time follows the history. */
  async writeTo(store: EventStore): Promise<void> {
    for (const { request } of this.requests) {
      await store.append(request.stream, request.events, request.expectedRevision);
    }
  }
}

const obslog = { importer: 'obslog', file: 'obslog.log', locator: '1' };

function propose(log: LogBuilder, featureKey: string, at: string, fields: { subsystem: string; components: string[]; requirementRefs: string[]; ticketKeys?: string[]; criteria: EvidenceCriteria; scores: [number, number, number, number]; effort: number }): void {
  const [userBusinessValue, timeCriticality, riskReductionOpportunityEnablement, jobSize] = fields.scores;
  log.run(featureDecider, featureStream(featureKey), {
    type: 'ProposeFeature',
    data: {
      featureKey,
      title: `${featureKey} title`,
      subsystem: fields.subsystem,
      components: fields.components,
      requirementRefs: fields.requirementRefs,
      ticketKeys: fields.ticketKeys ?? [],
      evidenceCriteria: fields.criteria,
      scores: { userBusinessValue, timeCriticality, riskReductionOpportunityEnablement, jobSize },
      verificationEffort: fields.effort,
      proposedBy: 'lead',
      proposedAt: at,
    },
  }, at);
}

function change(log: LogBuilder, changeId: string, components: string[], deliversFeatures: string[], recordedAt: string, deployedAt: string): void {
  log.run(changeDecider, changeStream(changeId), {
    type: 'RecordChange',
    data: { changeId, kind: 'software', subsystem: 'X', components, version: `${changeId} 1.0`, summary: `${changeId} summary`, ticketKeys: [], deliversFeatures, recordedBy: 'engineer', recordedAt },
  }, recordedAt);
  const deployed = log.run(changeDecider, changeStream(changeId), {
    type: 'DeployChange',
    data: { changeId, deploymentId: `${changeId}-d1`, deployedAt, scope: { subarray: null, receptors: [], hosts: [] } },
  }, deployedAt);
  for (const event of deployed) {
    if (event.type !== 'ChangeDeployed') continue;
    const lookup = { verifiedFeaturesWithComponent: (component: string) => verifiedWith(log, component) };
    for (const command of commandsAfterChangeDeployed(event, lookup)) {
      log.run(featureDecider, featureStream(command.data.featureKey), command, deployedAt);
    }
  }
}

const FEATURE_KEYS = ['CBF-1K-DELAY', 'SDP-NOISE-DIODE', 'SDP-QUORUM', 'CAM-PORTAL'];

function verifiedWith(log: LogBuilder, component: string): string[] {
  return FEATURE_KEYS.filter((key) => {
    const state = log.state<FeatureState>(featureStream(key));
    return state?.status === 'verified' && state.definition?.components.includes(component) === true;
  });
}

export function observe(log: LogBuilder, observationId: string, at: string, facts: Record<string, unknown>): void {
  log.run(observationDecider, observationStream(observationId), { type: 'RecordObservationFacts', data: { observationId, source: obslog, facts } }, at);
}

/** Records archived products; `recordedAt` is the archive time unless a late import is simulated. */
export function archive(log: LogBuilder, observationId: string, archivedAt: string, kinds: string[], recordedAt = archivedAt): void {
  const products = kinds.map((kind) => ({ name: `${observationId}-sdp-l0/${kind}`, location: `s3://${observationId}-sdp-l0/${kind}/`, archivedAt }));
  log.run(observationDecider, observationStream(observationId), { type: 'RecordArchivedProducts', data: { observationId, products, source: { importer: 's3', file: 's3.txt' } } }, recordedAt);
}

function review(log: LogBuilder, observationId: string, level: 'automated-qa' | 'inspected', at: string): void {
  log.run(observationDecider, observationStream(observationId), { type: 'ReviewObservation', data: { observationId, level, reviewer: 'commissioner', reviewedAt: at } }, at);
}

function verify(log: LogBuilder, featureKey: string, verificationId: string, outcome: 'passed' | 'failed', observation: EvidenceFacts, at: string, deliveringChange?: { changeId: string; deployedAt: string }): void {
  log.run(featureDecider, featureStream(featureKey), {
    type: 'RecordVerification',
    data: { featureKey, verificationId, outcome, observationIds: [observation.observationId], verifiedBy: 'commissioner', verifiedAt: at, deliveringChange, observations: [observation] },
  }, at);
}

/** O1's facts as the command handler passes them: `1934-638` carries its catalogue tags. */
const O1_EVIDENCE: EvidenceFacts = {
  observationId: O1,
  startUtc: '2019-03-03T08:00:00Z',
  band: 'L',
  product: 'c856M1k',
  receptors: RECEPTORS(5),
  targets: [{ name: '1934-638', tags: ['bpcal', 'delaycal', 'radec'] }, { name: 'J0010-4153', tags: ['radec', 'gaincal'] }],
  compoundScans: [{ kind: 'track', target: '1934-638', durationSeconds: 600 }, { kind: 'track', target: 'J0010-4153', durationSeconds: 300 }],
};

const O2_EVIDENCE: EvidenceFacts = {
  observationId: O2,
  startUtc: '2019-03-04T11:46:40Z',
  band: 'L',
  product: 'c856M4k',
  receptors: RECEPTORS(4),
  targets: [{ name: 'J0010-4153', tags: ['radec', 'gaincal'] }],
  compoundScans: [{ kind: 'track', target: 'J0010-4153', durationSeconds: 3600 }],
};

/** Builds the history; the comments give each step's time. */
export function smallHistory(): LogBuilder {
  const log = new LogBuilder();
  const catalogue = { importer: 'catalogue', file: 'catalogue.csv' };
  log.run(targetDecider, targetStream('J1939-6342'), { type: 'RecordTarget', data: { targetName: 'J1939-6342', aliases: ['1934-638', 'PKS 1934-63'], tags: ['radec', 'bpcal', 'delaycal'], coordinates: '19:39:25.03 -63:42:45.6', source: catalogue, recordedAt: '2019-03-01T00:00:00Z' } }, '2019-03-01T00:00:00Z');
  log.run(targetDecider, targetStream('J0010-4153'), { type: 'RecordTarget', data: { targetName: 'J0010-4153', aliases: ['0008-421'], tags: ['radec', 'gaincal'], coordinates: '00:10:52.52 -41:53:10.8', source: catalogue, recordedAt: '2019-03-01T00:00:00Z' } }, '2019-03-01T00:00:00Z');

  propose(log, 'CBF-1K-DELAY', '2019-03-01T08:00:00Z', { subsystem: 'CBF', components: ['cbf-fengine'], requirementRefs: ['R.RC.P.30', 'R.CAM.2'], ticketKeys: ['MKAIV-1'], criteria: { band: 'L', product: 'c856M1k', minReceptors: 4, minOnTargetSeconds: 180, targetTags: ['delaycal'], scanKind: 'track' }, scores: [8, 5, 3, 2], effort: 8 });
  propose(log, 'SDP-NOISE-DIODE', '2019-03-01T09:00:00Z', { subsystem: 'SDP', components: ['katsdpcontroller'], requirementRefs: ['R.RC.P.30'], criteria: { band: 'L', targetTags: ['gaincal'], minReceptors: 2 }, scores: [5, 3, 2, 5], effort: 2 });
  propose(log, 'SDP-QUORUM', '2019-03-01T10:00:00Z', { subsystem: 'SDP', components: ['katsdpcontroller'], requirementRefs: ['R.SDP.8'], ticketKeys: ['SDP-77'], criteria: {}, scores: [3, 2, 5, 1], effort: 5 });
  propose(log, 'CAM-PORTAL', '2019-03-01T11:00:00Z', { subsystem: 'CAM', components: ['katportal'], requirementRefs: ['R.CAM.2', 'R.CAM.3'], criteria: {}, scores: [2, 1, 1, 1], effort: 1 });

  change(log, 'CHG-1', ['cbf-fengine'], ['CBF-1K-DELAY'], '2019-03-02T08:00:00Z', '2019-03-02T12:00:00Z');

  // O1: 08:00–09:00 on 2019-03-03, archived an hour after its end (latency 1 × duration).
  observe(log, O1, '2019-03-03T09:05:00Z', {
    captureBlockId: O1, scheduleBlockId: '20190303-0001', proposalId: 'COM-1', observer: 'observer1', description: 'Delay calibration',
    startUtc: '2019-03-03T08:00:00Z', endUtc: '2019-03-03T09:00:00Z',
    targets: [{ name: '1934-638', tags: [] }, { name: 'J0010-4153', tags: ['radec', 'gaincal'] }],
    compoundScans: O1_EVIDENCE.compoundScans, receptors: RECEPTORS(5), band: 'L', product: 'c856M1k',
  });
  archive(log, O1, '2019-03-03T10:00:00Z', ['correlator_data', 'flags', 'weights']);
  review(log, O1, 'automated-qa', '2019-03-03T11:00:00Z');
  change(log, 'CHG-2', ['katsdpcontroller'], ['SDP-NOISE-DIODE', 'SDP-QUORUM'], '2019-03-03T11:30:00Z', '2019-03-03T12:00:00Z');
  verify(log, 'CBF-1K-DELAY', 'V1', 'passed', O1_EVIDENCE, '2019-03-03T15:00:00Z', { changeId: 'CHG-1', deployedAt: '2019-03-02T12:00:00Z' });

  log.run(featureDecider, featureStream('CAM-PORTAL'), { type: 'DeliverFeature', data: { featureKey: 'CAM-PORTAL', deliveredAt: '2019-03-04T08:00:00Z' } }, '2019-03-04T08:00:00Z');
  review(log, O1, 'inspected', '2019-03-04T09:00:00Z');
  log.run(ticketDecider, ticketStream('MKAIV-1'), { type: 'RecordTicket', data: { ticketKey: 'MKAIV-1', summary: 'Delay jumps in 1551600000', status: 'Open', links: [], mentions: { captureBlockIds: [O1], scheduleBlockIds: [], featureKeys: ['CBF-1K-DELAY'] }, recordedAt: '2019-03-04T10:00:00Z' } }, '2019-03-04T10:00:00Z');

  // O2: 11:46:40–13:46:40 on 2019-03-04 (2 h), archived 30 min after its end (0.25 × duration), without weights.
  observe(log, O2, '2019-03-04T13:50:00Z', {
    captureBlockId: O2, scheduleBlockId: '20190304-0001', proposalId: 'COM-1', observer: 'observer2', description: 'HI spectral line test',
    startUtc: '2019-03-04T11:46:40Z', endUtc: '2019-03-04T13:46:40Z',
    targets: O2_EVIDENCE.targets, compoundScans: O2_EVIDENCE.compoundScans, receptors: RECEPTORS(4), band: 'L', product: 'c856M4k',
  });
  archive(log, O2, '2019-03-04T14:16:40Z', ['correlator_data', 'flags']);
  review(log, O2, 'automated-qa', '2019-03-04T15:00:00Z');

  verify(log, 'SDP-NOISE-DIODE', 'V2', 'failed', O2_EVIDENCE, '2019-03-05T09:00:00Z', { changeId: 'CHG-2', deployedAt: '2019-03-03T12:00:00Z' });
  verify(log, 'CAM-PORTAL', 'V3', 'passed', O2_EVIDENCE, '2019-03-05T09:30:00Z');

  // O3: 10:00–10:30 on 2019-03-05, known only from the observation log, never archived.
  observe(log, O3, '2019-03-05T10:35:00Z', {
    scheduleBlockId: '20190305-0002', proposalId: 'SCI-2', description: 'UHF test', startUtc: '2019-03-05T10:00:00Z', endUtc: '2019-03-05T10:30:00Z',
    receptors: RECEPTORS(16), band: 'UHF', product: 'c544M32k',
  });
  log.run(observationDecider, observationStream(O3), { type: 'NoteObservationAnomaly', data: { observationId: O3, anomaly: { kind: 'missing-products', products: ['correlator_data'], detail: 'no visibilities written' }, source: { importer: 'sdpmc', file: 'sdpmc.log' }, notedAt: '2019-03-05T10:40:00Z' } }, '2019-03-05T10:40:00Z');

  log.run(findingDecider, findingStream('F-1'), { type: 'RecordFinding', data: { findingId: 'F-1', title: 'Delay jumps', symptom: 'delay jumps after capture-init', cause: 'XFS hang on the file writer', workaround: '', links: { hosts: [], components: ['cbf-fengine'], changeIds: [], observationIds: [O1], ticketKeys: [] }, recordedBy: 'engineer', recordedAt: '2019-03-05T12:00:00Z' } }, '2019-03-05T12:00:00Z');

  // CHG-3 touches cbf-fengine: the policy marks the verified CBF-1K-DELAY suspect; it is rolled back a day later.
  change(log, 'CHG-3', ['cbf-fengine'], [], '2019-03-06T08:00:00Z', '2019-03-06T12:00:00Z');
  log.run(changeDecider, changeStream('CHG-3'), { type: 'RollBackChange', data: { changeId: 'CHG-3', rolledBackAt: '2019-03-07T12:00:00Z', reason: 'regression' } }, '2019-03-07T12:00:00Z');
  return log;
}
