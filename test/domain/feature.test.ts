import { describe, expect, it } from 'vitest';
import { fold } from '../../domain/event.js';
import type { FeatureEvent } from '../../domain/feature-events.js';
import { featureDecider, type FeatureCommand } from '../../domain/feature.js';
import {
  definition,
  delivered,
  DEPLOYED_AT,
  FEATURE_KEY,
  proposed,
  qualifyingObservation,
  verificationRecorded,
  verifyCommand,
} from './fixtures.js';
import { specFor } from './given.js';

const given = specFor(featureDecider);

const propose: FeatureCommand = {
  type: 'ProposeFeature',
  data: { ...definition, proposedBy: 'lead', proposedAt: '2019-03-01T08:00:00Z' },
};

const deliver: FeatureCommand = {
  type: 'DeliverFeature',
  data: { featureKey: FEATURE_KEY, changeId: 'CBF-REL-5.1', deliveredAt: DEPLOYED_AT },
};

const suspectData = {
  featureKey: FEATURE_KEY,
  changeId: 'SDP-REL-2.3',
  deployedAt: '2019-03-12T07:00:00Z',
  sharedComponents: ['katsdpcontroller'],
  markedAt: '2019-03-12T07:00:00Z',
};
const markedSuspect: FeatureEvent = { type: 'FeatureMarkedSuspect', data: suspectData };

describe('ProposeFeature', () => {
  it('proposes a new feature', () => {
    given([]).when(propose).then([proposed]);
  });

  it('rejects an existing key', () => {
    const error = given([proposed]).when(propose).thenError('FeatureAlreadyExists');
    expect(error.featureKey).toBe(FEATURE_KEY);
    expect(error.message).toContain(FEATURE_KEY);
  });

  it('rejects a score off the scale', () => {
    const scores = { ...definition.scores, timeCriticality: 4 };
    const error = given([])
      .when({ ...propose, data: { ...propose.data, scores } } as FeatureCommand)
      .thenError('InvalidWsjfScore');
    expect(error.field).toBe('timeCriticality');
    expect(error.value).toBe(4);
    expect(error.message).toContain('1, 2, 3, 5, 8, 13, 20');
  });

  it('rejects a verification effort off the scale', () => {
    const error = given([])
      .when({ ...propose, data: { ...propose.data, verificationEffort: 21 } } as FeatureCommand)
      .thenError('InvalidWsjfScore');
    expect(error.field).toBe('verificationEffort');
  });

  it('rejects a key with spaces', () => {
    const error = given([])
      .when({ ...propose, data: { ...propose.data, featureKey: 'CBF 1' } } as FeatureCommand)
      .thenError('InvalidValue');
    expect(error.field).toBe('featureKey');
    expect(error.value).toBe('CBF 1');
  });

  it('rejects a ticket key with spaces', () => {
    const error = given([])
      .when({ ...propose, data: { ...propose.data, ticketKeys: ['MKAIV-449', 'MKAIV 450'] } } as FeatureCommand)
      .thenError('InvalidValue');
    expect(error.field).toBe('ticketKeys');
    expect(error.value).toBe('MKAIV 450');
  });

  it('rejects a lower-case ticket key', () => {
    const error = given([])
      .when({ ...propose, data: { ...propose.data, ticketKeys: ['mkaiv-449'] } } as FeatureCommand)
      .thenError('InvalidValue');
    expect(error.message).toBe('ticketKeys "mkaiv-449" is invalid; expected a Jira key such as MKAIV-449: a project key of two or more capitals or digits, a hyphen and an issue number without leading zeros');
  });

  it.each(['COMM-0305', 'COMM-0', 'COMM-99999999999999999999'])('rejects ticket number %s', (ticketKey) => {
    const error = given([]).when({ ...propose, data: { ...propose.data, ticketKeys: [ticketKey] } } as FeatureCommand).thenError('InvalidValue');
    expect(error.value).toBe(ticketKey);
  });

  it('rejects over a thousand tickets', () => {
    const ticketKeys = Array.from({ length: 1001 }, (_, index) => `MKAIV-${index + 1}`);
    const error = given([]).when({ ...propose, data: { ...propose.data, ticketKeys } } as FeatureCommand).thenError('InvalidValue');
    expect(error.message).toBe('ticketKeys "1001 keys" is invalid; expected at most 1000 ticket keys');
  });

  it('keeps a repeated ticket once', () => {
    const ticketKeys = ['MKAIV-449', 'COMM-305', 'MKAIV-449'];
    given([])
      .when({ ...propose, data: { ...propose.data, ticketKeys } } as FeatureCommand)
      .then([{ type: 'FeatureProposed', data: { ...propose.data, ticketKeys: ['MKAIV-449', 'COMM-305'] } } as FeatureEvent]);
  });

  it('rejects a local timestamp', () => {
    const error = given([])
      .when({ ...propose, data: { ...propose.data, proposedAt: '2019-03-01 08:00:00' } } as FeatureCommand)
      .thenError('InvalidValue');
    expect(error.field).toBe('proposedAt');
  });

  it('rejects zero minimum receptors', () => {
    const evidenceCriteria = { ...definition.evidenceCriteria, minReceptors: 0 };
    const error = given([])
      .when({ ...propose, data: { ...propose.data, evidenceCriteria } } as FeatureCommand)
      .thenError('InvalidValue');
    expect(error.field).toBe('evidenceCriteria.minReceptors');
  });
});

describe('RescoreFeature', () => {
  const scores = { userBusinessValue: 13, timeCriticality: 8, riskReductionOpportunityEnablement: 1, jobSize: 5 };
  const rescore: FeatureCommand = {
    type: 'RescoreFeature',
    data: { featureKey: FEATURE_KEY, scores, verificationEffort: 2, rescoredBy: 'lead', rescoredAt: '2019-03-02T08:00:00Z' },
  };

  it('rejects a rescore before the proposal', () => {
    const early = { ...rescore, data: { ...rescore.data, rescoredAt: '2019-02-01T00:00:00Z' } } as FeatureCommand;
    const error = given([proposed]).when(early).thenError('InvalidValue');
    expect(error.message).toBe('rescoredAt "2019-02-01T00:00:00Z" is invalid; expected a time at or after the proposal (2019-03-01T08:00:00Z)');
  });

  it('rejects tickets set before the proposal', () => {
    const tickets: FeatureCommand = { type: 'SetFeatureTickets', data: { featureKey: FEATURE_KEY, ticketKeys: ['MKAIV-1'], setBy: 'lead', setAt: '1970-01-01T00:00:00Z' } };
    expect(given([proposed]).when(tickets).thenError('InvalidValue').field).toBe('setAt');
  });

  it('rescores a feature', () => {
    const events = given([proposed]).when(rescore).then([{ type: 'FeatureRescored', data: rescore.data } as FeatureEvent]);
    const state = fold(featureDecider, [proposed, ...events]);
    expect(state.definition?.scores).toEqual(scores);
    expect(state.definition?.verificationEffort).toBe(2);
  });

  it('ignores the scores in effect', () => {
    const rescored = { type: 'FeatureRescored', data: rescore.data } as FeatureEvent;
    given([proposed, rescored]).when(rescore).then([]);
  });

  it('rejects an unknown feature', () => {
    given([]).when(rescore).thenError('FeatureNotFound');
  });

  it('rejects a withdrawn feature', () => {
    const withdrawn: FeatureEvent = {
      type: 'FeatureWithdrawn',
      data: { featureKey: FEATURE_KEY, reason: 'superseded', withdrawnBy: 'lead', withdrawnAt: '2019-03-02T00:00:00Z' },
    };
    const error = given([proposed, withdrawn]).when(rescore).thenError('InvalidFeatureTransition');
    expect(error.status).toBe('withdrawn');
    expect(error.message).toBe(
      `cannot rescore feature ${FEATURE_KEY}: it is withdrawn, and this needs a feature that is proposed, delivered, verified, failed or suspect; a withdrawn feature takes no change, so propose it again under a new key to track it`,
    );
  });
});

describe('SetEvidenceCriteria', () => {
  it('replaces the criteria', () => {
    const evidenceCriteria = { band: 'UHF', minReceptors: 16 };
    const command: FeatureCommand = {
      type: 'SetEvidenceCriteria',
      data: { featureKey: FEATURE_KEY, evidenceCriteria, setBy: 'lead', setAt: '2019-03-02T08:00:00Z' },
    };
    const events = given([proposed]).when(command).then([{ type: 'EvidenceCriteriaSet', data: command.data } as FeatureEvent]);
    expect(fold(featureDecider, [proposed, ...events]).definition?.evidenceCriteria).toEqual(evidenceCriteria);
  });

  it('ignores the criteria in effect', () => {
    // The same criteria with their keys in another order.
    const reordered = Object.fromEntries(Object.entries(definition.evidenceCriteria).reverse());
    const command: FeatureCommand = {
      type: 'SetEvidenceCriteria',
      data: { featureKey: FEATURE_KEY, evidenceCriteria: reordered, setBy: 'lead', setAt: '2019-03-02T08:00:00Z' },
    };
    given([proposed]).when(command).then([]);
  });
});

describe('SetFeatureTickets', () => {
  const setTickets = (ticketKeys: string[]): FeatureCommand => ({
    type: 'SetFeatureTickets',
    data: { featureKey: FEATURE_KEY, ticketKeys, setBy: 'lead', setAt: '2019-03-02T08:00:00Z' },
  });

  it('replaces the tickets', () => {
    const command = setTickets(['MKAIV-449', 'MKAIV-450']);
    const events = given([proposed]).when(command).then([{ type: 'FeatureTicketsSet', data: command.data } as FeatureEvent]);
    expect(fold(featureDecider, [proposed, ...events]).definition?.ticketKeys).toEqual(['MKAIV-449', 'MKAIV-450']);
  });

  it('ignores the tickets in effect, in any order', () => {
    given([proposed]).when(setTickets([...definition.ticketKeys].reverse())).then([]);
  });

  it('keeps a repeated ticket once', () => {
    const command = setTickets(['COMM-305', 'COMM-305']);
    given([proposed]).when(command).then([{ type: 'FeatureTicketsSet', data: { ...command.data, ticketKeys: ['COMM-305'] } } as FeatureEvent]);
  });

  it('removes every ticket with an empty list', () => {
    given([proposed]).when(setTickets([])).then([{ type: 'FeatureTicketsSet', data: setTickets([]).data } as FeatureEvent]);
  });

  it('rejects a key with spaces', () => {
    const error = given([proposed]).when(setTickets(['MKAIV 449'])).thenError('InvalidValue');
    expect(error.field).toBe('ticketKeys');
  });

  it('rejects an unknown feature', () => {
    given([]).when(setTickets(['MKAIV-449'])).thenError('FeatureNotFound');
  });
});

describe('DeliverFeature', () => {
  it('delivers a proposed feature', () => {
    given([proposed]).when(deliver).then([delivered]);
  });

  it('ignores a repeated delivery by the same change', () => {
    given([proposed, delivered]).when(deliver).then([]);
  });

  it('ignores a replayed delivery after verification', () => {
    given([proposed, delivered, verificationRecorded('passed')]).when(deliver).then([]);
  });

  it('redelivers on a later deployment', () => {
    const redeploy: FeatureCommand = {
      type: 'DeliverFeature',
      data: { featureKey: FEATURE_KEY, changeId: 'CBF-REL-5.1', deliveredAt: '2019-03-15T00:00:00Z' },
    };
    given([proposed, delivered, verificationRecorded('passed')]).when(redeploy).then([
      { type: 'FeatureDelivered', data: { featureKey: FEATURE_KEY, changeId: 'CBF-REL-5.1', deliveredAt: '2019-03-15T00:00:00Z' } },
    ]);
  });

  it('redelivers a failed feature', () => {
    const fix: FeatureCommand = {
      type: 'DeliverFeature',
      data: { featureKey: FEATURE_KEY, changeId: 'CBF-REL-5.2', deliveredAt: '2019-03-10T00:00:00Z' },
    };
    const events = given([proposed, delivered, verificationRecorded('failed')]).when(fix).then([
      { type: 'FeatureDelivered', data: { featureKey: FEATURE_KEY, changeId: 'CBF-REL-5.2', deliveredAt: '2019-03-10T00:00:00Z' } },
    ]);
    expect(fold(featureDecider, [proposed, delivered, verificationRecorded('failed'), ...events]).status).toBe('delivered');
  });

  it('records a delivery without a change', () => {
    const byHand: FeatureCommand = { type: 'DeliverFeature', data: { featureKey: FEATURE_KEY, deliveredAt: DEPLOYED_AT } };
    given([proposed]).when(byHand).then([
      { type: 'FeatureDelivered', data: { featureKey: FEATURE_KEY, changeId: null, deliveredAt: DEPLOYED_AT } },
    ]);
  });

  it('rejects an unknown feature', () => {
    given([]).when(deliver).thenError('FeatureNotFound');
  });

  it('rejects a hand delivery of a feature awaiting verification', () => {
    const later: FeatureCommand = { type: 'DeliverFeature', data: { featureKey: FEATURE_KEY, deliveredAt: '2019-03-20T00:00:00Z' } };
    const error = given([proposed, delivered]).when(later).thenError('InvalidFeatureTransition');
    expect(error.message).toContain(`cannot deliver feature ${FEATURE_KEY}: it is delivered`);
    // A new deployment of a change still delivers it again.
    given([proposed, delivered]).when({ ...later, data: { ...later.data, changeId: 'CBF-REL-5.2' } } as FeatureCommand).then([
      { type: 'FeatureDelivered', data: { featureKey: FEATURE_KEY, changeId: 'CBF-REL-5.2', deliveredAt: '2019-03-20T00:00:00Z' } },
    ]);
  });

  it('ignores a repeated hand delivery', () => {
    const byHand: FeatureCommand = { type: 'DeliverFeature', data: { featureKey: FEATURE_KEY, deliveredAt: DEPLOYED_AT } };
    const first: FeatureEvent = { type: 'FeatureDelivered', data: { featureKey: FEATURE_KEY, changeId: null, deliveredAt: DEPLOYED_AT } };
    given([proposed, first]).when(byHand).then([]);
  });
});

describe('RecordVerification', () => {
  it('rejects a verdict before the delivery', () => {
    const error = given([proposed, delivered]).when(verifyCommand({ verifiedAt: '2019-03-01T00:00:00Z' })).thenError('InvalidValue');
    expect(error.message).toBe(`verifiedAt "2019-03-01T00:00:00Z" is invalid; expected a time at or after the delivery it verifies (${DEPLOYED_AT})`);
  });

  it('rejects discarded data as evidence', () => {
    const discarded = { ...qualifyingObservation, discardReason: 'RFI from a satellite pass' };
    const error = given([proposed, delivered]).when(verifyCommand({ observations: [discarded] })).thenError('EvidenceCriteriaUnmet');
    expect(error.unmet).toEqual([{ criterion: 'not-discarded', required: null, actual: 'discarded', message: 'its data were discarded (RFI from a satellite pass)' }]);
  });

  it('rejects a verdict before its evidence', () => {
    const late = { ...qualifyingObservation, startUtc: '2019-03-10T00:00:00Z' };
    const error = given([proposed, delivered]).when(verifyCommand({ observations: [late] })).thenError('InvalidValue');
    expect(error.message).toContain('expected a time at or after the start of observation 1552039941 (2019-03-10T00:00:00Z)');
  });

  it('verifies a delivered feature', () => {
    const events = given([proposed, delivered]).when(verifyCommand()).then([verificationRecorded('passed')]);
    expect(fold(featureDecider, [proposed, delivered, ...events]).status).toBe('verified');
  });

  it('records a failure', () => {
    const events = given([proposed, delivered])
      .when(verifyCommand({ outcome: 'failed' }))
      .then([verificationRecorded('failed')]);
    expect(fold(featureDecider, [proposed, delivered, ...events]).status).toBe('failed');
  });

  it('keeps status when inconclusive', () => {
    const events = given([proposed, delivered])
      .when(verifyCommand({ outcome: 'inconclusive' }))
      .then([verificationRecorded('inconclusive')]);
    expect(fold(featureDecider, [proposed, delivered, ...events]).status).toBe('delivered');
  });

  it('rejects a proposed feature', () => {
    const error = given([proposed]).when(verifyCommand()).thenError('FeatureNotAwaitingVerification');
    expect(error.status).toBe('proposed');
    expect(error.message).toContain('deliver it first');
  });

  it('rejects a withdrawn feature without asking to deliver', () => {
    const withdrawn: FeatureEvent = { type: 'FeatureWithdrawn', data: { featureKey: FEATURE_KEY, reason: 'superseded', withdrawnBy: 'lead', withdrawnAt: '2019-03-08T00:00:00Z' } };
    const error = given([proposed, delivered, withdrawn]).when(verifyCommand()).thenError('FeatureNotAwaitingVerification');
    expect(error.message).toBe(`feature ${FEATURE_KEY} is withdrawn, so it is no longer verified; propose it again under a new key to track it`);
  });

  it('rejects a verified feature', () => {
    given([proposed, delivered, verificationRecorded('passed')])
      .when(verifyCommand({ verificationId: 'v-2' }))
      .thenError('FeatureNotAwaitingVerification');
  });

  it('rejects a repeated verification id', () => {
    const error = given([proposed, delivered, verificationRecorded('inconclusive')])
      .when(verifyCommand())
      .thenError('VerificationAlreadyRecorded');
    expect(error.verificationId).toBe('v-1');
  });

  it('rejects a pass without observations', () => {
    given([proposed, delivered]).when(verifyCommand({ observationIds: [], observations: [] })).thenError('EvidenceMissing');
  });

  it('rejects a missing observation', () => {
    const error = given([proposed, delivered])
      .when(verifyCommand({ observationIds: ['1552039941', '1551803062'] }))
      .thenError('ObservationNotFound');
    expect(error.observationId).toBe('1551803062');
  });

  it('rejects an observation before deployment', () => {
    const early = { ...qualifyingObservation, startUtc: '2019-03-05T16:24:22Z' };
    const error = given([proposed, delivered])
      .when(verifyCommand({ observations: [early] }))
      .thenError('ObservationBeforeDeployment');
    expect(error.observationId).toBe('1552039941');
    expect(error.requiredAfterUtc).toBe(DEPLOYED_AT);
    expect(error.message).toContain('2019-03-05T16:24:22Z');
  });

  it('rejects an observation without a start', () => {
    const { startUtc: _start, ...undated } = qualifyingObservation;
    const error = given([proposed, delivered])
      .when(verifyCommand({ observations: [undated] }))
      .thenError('ObservationBeforeDeployment');
    expect(error.observationStartUtc).toBeNull();
  });

  it('rejects unmet criteria, listing each', () => {
    const weak = { ...qualifyingObservation, band: 'UHF', receptors: ['m000', 'm001'] };
    const error = given([proposed, delivered])
      .when(verifyCommand({ observations: [weak] }))
      .thenError('EvidenceCriteriaUnmet');
    expect(error.unmet.map((criterion) => criterion.criterion)).toEqual(['band', 'min-receptors']);
    expect(error.message).toContain('band is UHF, not L');
    expect(error.message).toContain('2 receptors');
  });

  it('checks criteria for a failure too', () => {
    const weak = { ...qualifyingObservation, product: 'c856M4k' };
    given([proposed, delivered])
      .when(verifyCommand({ outcome: 'failed', observations: [weak] }))
      .thenError('EvidenceCriteriaUnmet');
  });

  it('requires the delivering deployment', () => {
    const error = given([proposed, delivered])
      .when(verifyCommand({ deliveringChange: undefined }))
      .thenError('DeliveringChangeMismatch');
    expect(error.expectedChangeId).toBe('CBF-REL-5.1');
    expect(error.givenChangeId).toBeNull();
    expect(error.message).toBe(
      `feature ${FEATURE_KEY} was delivered by change CBF-REL-5.1, which has no deployment in service (never deployed, or rolled back), ` +
        'so no observation can show it on the sky; deploy CBF-REL-5.1, or deliver the feature again with the change that replaced it',
    );
  });

  it('rejects another change deployment', () => {
    const error = given([proposed, delivered])
      .when(verifyCommand({ deliveringChange: { changeId: 'CBF-REL-4.9', deployedAt: DEPLOYED_AT } }))
      .thenError('DeliveringChangeMismatch');
    expect(error.givenChangeId).toBe('CBF-REL-4.9');
  });

  it('bounds a hand delivery by its time', () => {
    const byHand: FeatureEvent = { type: 'FeatureDelivered', data: { featureKey: FEATURE_KEY, changeId: null, deliveredAt: '2019-03-08T11:00:00Z' } };
    const error = given([proposed, byHand])
      .when(verifyCommand({ deliveringChange: { changeId: 'CBF-REL-5.1', deployedAt: DEPLOYED_AT } }))
      .thenError('ObservationBeforeDeployment');
    expect(error.requiredAfterUtc).toBe('2019-03-08T11:00:00Z');
  });

  it('uses a later redeployment time', () => {
    const redeployed = { changeId: 'CBF-REL-5.1', deployedAt: '2019-03-08T11:00:00Z' };
    given([proposed, delivered])
      .when(verifyCommand({ deliveringChange: redeployed }))
      .thenError('ObservationBeforeDeployment');
  });

  it('verifies a suspect feature again', () => {
    const later = { ...qualifyingObservation, observationId: '1552400000', startUtc: '2019-03-12T14:13:20Z' };
    const verifiedAt = '2019-03-13T09:00:00Z';
    const command = verifyCommand({ verificationId: 'v-2', observationIds: ['1552400000'], observations: [later], verifiedAt });
    const history = [proposed, delivered, verificationRecorded('passed'), markedSuspect];
    const events = given(history).when(command).then([
      { type: 'VerificationRecorded', data: { ...verificationRecorded('passed', 'v-2').data, observationIds: ['1552400000'], verifiedAt } } as FeatureEvent,
    ]);
    const state = fold(featureDecider, [...history, ...events]);
    expect(state.status).toBe('verified');
    expect(state.suspicions).toEqual([]);
  });

  it('requires evidence after the suspect change', () => {
    const history = [proposed, delivered, verificationRecorded('passed'), markedSuspect];
    const error = given(history)
      .when(verifyCommand({ verificationId: 'v-2' }))
      .thenError('ObservationBeforeDeployment');
    expect(error.requiredAfterUtc).toBe(suspectData.deployedAt);
  });

  it('keeps a cleared suspicion as a bound', () => {
    // The justification clears the flag, but the change it names is still on the sky, so a
    // later suspicion by an earlier-deployed change does not lower the bound below it.
    const cleared: FeatureEvent = {
      type: 'SuspicionCleared',
      data: { featureKey: FEATURE_KEY, justification: 'logging change only', clearedBy: 'lead', clearedAt: suspectData.markedAt },
    };
    const earlierChange: FeatureEvent = {
      type: 'FeatureMarkedSuspect',
      data: { ...suspectData, changeId: 'CBF-REL-5.0a', deployedAt: '2019-03-08T09:00:00Z' },
    };
    const history = [proposed, delivered, verificationRecorded('passed'), markedSuspect, cleared, earlierChange];
    const error = given(history)
      .when(verifyCommand({ verificationId: 'v-3' }))
      .thenError('ObservationBeforeDeployment');
    expect(error.requiredAfterUtc).toBe(suspectData.deployedAt);
  });
});

describe('MarkFeatureSuspect', () => {
  const mark: FeatureCommand = { type: 'MarkFeatureSuspect', data: suspectData };

  it('marks a verified feature suspect', () => {
    const events = given([proposed, delivered, verificationRecorded('passed')]).when(mark).then([markedSuspect]);
    expect(fold(featureDecider, [proposed, delivered, verificationRecorded('passed'), ...events]).status).toBe('suspect');
  });

  it.each([
    ['a component the feature does not depend on', ['cbf.beng'], 'cbf.beng'],
    ['no component', [], '[]'],
  ])('rejects %s', (_name, sharedComponents, value) => {
    const error = given([proposed, delivered, verificationRecorded('passed')])
      .when({ ...mark, data: { ...suspectData, sharedComponents } } as FeatureCommand)
      .thenError('InvalidValue');
    expect(error.field).toBe('sharedComponents');
    expect(error.value).toBe(value);
  });

  it('ignores the same deployment twice', () => {
    given([proposed, delivered, verificationRecorded('passed'), markedSuspect]).when(mark).then([]);
  });

  it('ignores a replay after clearance', () => {
    const cleared: FeatureEvent = {
      type: 'SuspicionCleared',
      data: { featureKey: FEATURE_KEY, justification: 'logging only', clearedBy: 'commissioner', clearedAt: '2019-03-13T00:00:00Z' },
    };
    given([proposed, delivered, verificationRecorded('passed'), markedSuspect, cleared]).when(mark).then([]);
  });

  it('rejects a feature not yet verified', () => {
    const error = given([proposed, delivered]).when(mark).thenError('InvalidFeatureTransition');
    expect(error.allowedStatuses).toEqual(['verified', 'suspect']);
  });
});

describe('ClearSuspicion', () => {
  const clear: FeatureCommand = {
    type: 'ClearSuspicion',
    data: {
      featureKey: FEATURE_KEY,
      justification: 'SDP-REL-2.3 changed only logging in katsdpcontroller',
      clearedBy: 'commissioner',
      clearedAt: '2019-03-13T08:00:00Z',
    },
  };
  const history = [proposed, delivered, verificationRecorded('passed'), markedSuspect];

  it('clears with a justification', () => {
    const events = given(history).when(clear).then([{ type: 'SuspicionCleared', data: clear.data } as FeatureEvent]);
    expect(fold(featureDecider, [...history, ...events]).status).toBe('verified');
  });

  it('rejects an empty justification', () => {
    const error = given(history)
      .when({ ...clear, data: { ...clear.data, justification: ' ' } } as FeatureCommand)
      .thenError('InvalidValue');
    expect(error.field).toBe('justification');
  });

  it('rejects a feature not suspect', () => {
    given([proposed, delivered, verificationRecorded('passed')]).when(clear).thenError('InvalidFeatureTransition');
  });

  it('rejects a clearance before the deployment', () => {
    const error = given(history)
      .when({ ...clear, data: { ...clear.data, clearedAt: '2019-03-11T00:00:00Z' } } as FeatureCommand)
      .thenError('InvalidValue');
    expect(error.message).toBe(
      'clearedAt "2019-03-11T00:00:00Z" is invalid; expected a time at or after the deployment that made it suspect (2019-03-12T07:00:00Z)',
    );
  });
});

describe('WithdrawFeature', () => {
  const withdraw: FeatureCommand = {
    type: 'WithdrawFeature',
    data: { featureKey: FEATURE_KEY, reason: 'superseded by CBF-4K', withdrawnBy: 'lead', withdrawnAt: '2019-03-20T00:00:00Z' },
  };

  it('withdraws from any live status', () => {
    for (const history of [[proposed], [proposed, delivered], [proposed, delivered, verificationRecorded('passed')]]) {
      const events = given(history).when(withdraw).then([{ type: 'FeatureWithdrawn', data: withdraw.data } as FeatureEvent]);
      expect(fold(featureDecider, [...history, ...events]).status).toBe('withdrawn');
    }
  });

  it('rejects a second withdrawal', () => {
    const withdrawn = { type: 'FeatureWithdrawn', data: withdraw.data } as FeatureEvent;
    given([proposed, withdrawn]).when(withdraw).thenError('InvalidFeatureTransition');
  });
});
