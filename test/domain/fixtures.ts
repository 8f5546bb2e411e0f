/**
 * Events and commands shared by the domain tests, with values taken from the MeerKAT samples:
 * capture block 1552039941 (schedule block 20190308-0083, PKS 1934-63, 2019-03-08 10:12:21 UTC).
 */
import type { EvidenceFacts } from '../../domain/evidence.js';
import type { FeatureDefinition, FeatureEvent } from '../../domain/feature-events.js';
import type { RecordVerification } from '../../domain/feature.js';
import type { FactSource } from '../../domain/observation-events.js';

export const FEATURE_KEY = 'CBF-1K-DELAY';

export const definition: FeatureDefinition = {
  featureKey: FEATURE_KEY,
  title: '1K mode start-delay correction',
  subsystem: 'CBF',
  components: ['cbf-fengine', 'katsdpcontroller'],
  requirementRefs: ['R.RC.P.30'],
  ticketKeys: ['MKAIV-449'],
  evidenceCriteria: {
    band: 'L',
    product: 'c856M1k',
    minReceptors: 4,
    minOnTargetSeconds: 180,
    targetTags: ['delaycal'],
    scanKind: 'track',
  },
  scores: { userBusinessValue: 8, timeCriticality: 5, riskReductionOpportunityEnablement: 3, jobSize: 2 },
  verificationEffort: 3,
};

export const proposed: FeatureEvent = {
  type: 'FeatureProposed',
  data: { ...definition, proposedBy: 'lead', proposedAt: '2019-03-01T08:00:00Z' },
};

export const DEPLOYED_AT = '2019-03-07T12:00:00Z';

export const delivered: FeatureEvent = {
  type: 'FeatureDelivered',
  data: { featureKey: FEATURE_KEY, changeId: 'CBF-REL-5.1', deliveredAt: DEPLOYED_AT },
};

/** An observation that meets every criterion of `definition`. */
export const qualifyingObservation: EvidenceFacts = {
  observationId: '1552039941',
  startUtc: '2019-03-08T10:12:21Z',
  band: 'L',
  product: 'c856M1k',
  receptors: ['m000', 'm001', 'm002', 'm010', 'm043'],
  targets: [{ name: 'PKS 1934-63', tags: ['radec', 'delaycal', 'bpcal'] }],
  compoundScans: [{ kind: 'track', target: 'PKS 1934-63', durationSeconds: 300 }],
};

export function verifyCommand(overrides: Partial<RecordVerification['data']> = {}): RecordVerification {
  return {
    type: 'RecordVerification',
    data: {
      featureKey: FEATURE_KEY,
      verificationId: 'v-1',
      outcome: 'passed',
      observationIds: ['1552039941'],
      metrics: [{ name: 'delay residual', value: 0.4, unit: 'ns' }],
      notes: 'delays flat after correction',
      verifiedBy: 'commissioner',
      verifiedAt: '2019-03-09T09:00:00Z',
      deliveringChange: { changeId: 'CBF-REL-5.1', deployedAt: DEPLOYED_AT },
      observations: [qualifyingObservation],
      ...overrides,
    },
  };
}

export function verificationRecorded(outcome: 'passed' | 'failed' | 'inconclusive', verificationId = 'v-1'): FeatureEvent {
  return {
    type: 'VerificationRecorded',
    data: {
      featureKey: FEATURE_KEY,
      verificationId,
      outcome,
      observationIds: ['1552039941'],
      metrics: [{ name: 'delay residual', value: 0.4, unit: 'ns' }],
      notes: 'delays flat after correction',
      verifiedBy: 'commissioner',
      verifiedAt: '2019-03-09T09:00:00Z',
      changeId: 'CBF-REL-5.1',
    },
  };
}

export const archiveSource: FactSource = {
  importer: 'archive-search',
  file: 'archive-search-2019-03-08.tsv',
  locator: '2',
};

export const sdpmcSource: FactSource = {
  importer: 'sdpmc',
  file: 'sdpmc-array_1_0-2019-03-08.log',
  locator: '2',
};
