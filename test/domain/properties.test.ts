/**
 * Property tests over random command sequences: replaying a history is deterministic and may be
 * split anywhere, and no sequence verifies a feature without qualifying evidence.
 */
import fc from 'fast-check';
import * as E from 'fp-ts/lib/Either.js';
import { describe, expect, it } from 'vitest';
import { fold, type Decider } from '../../domain/event.js';
import { matchEvidence, type EvidenceCriteria, type EvidenceFacts } from '../../domain/evidence.js';
import type { FeatureEvent, FeatureState } from '../../domain/feature-events.js';
import { featureDecider, type FeatureCommand, type RecordVerification } from '../../domain/feature.js';
import { observationDecider, type ObservationCommand } from '../../domain/observation.js';
import { definition, FEATURE_KEY, qualifyingObservation } from './fixtures.js';

const BASE_MS = Date.parse('2019-03-01T00:00:00Z');

const instant = fc.integer({ min: 0, max: 24 * 30 }).map((hours) => new Date(BASE_MS + hours * 3_600_000).toISOString());

/** Verdicts mostly after every generated observation, now and then at any time of the month. */
const verdictInstant = fc.oneof(
  { arbitrary: fc.integer({ min: 24 * 30, max: 24 * 31 }).map((hours) => new Date(BASE_MS + hours * 3_600_000).toISOString()), weight: 4 },
  { arbitrary: instant, weight: 1 },
);

/** Deployments early in the month, so that later observations can qualify. */
const earlyInstant = fc.integer({ min: 0, max: 24 * 5 }).map((hours) => new Date(BASE_MS + hours * 3_600_000).toISOString());

// Mostly the one delivering change, so that generated verifications often carry its deployment.
const changeId = fc.oneof(
  { arbitrary: fc.constant('CBF-REL-5.1'), weight: 4 },
  { arbitrary: fc.constantFrom('CBF-REL-5.2', 'SDP-REL-2.3'), weight: 1 },
);

const criteria: fc.Arbitrary<EvidenceCriteria> = fc.record(
  {
    band: fc.constantFrom('L', 'UHF'),
    product: fc.constantFrom('c856M4k', 'c856M1k'),
    minReceptors: fc.integer({ min: 1, max: 6 }),
    minOnTargetSeconds: fc.integer({ min: 0, max: 600 }),
    targetTags: fc.subarray(['bpcal', 'gaincal', 'delaycal']),
    scanKind: fc.constantFrom('track', 'raster'),
  },
  { requiredKeys: [] },
);

/** Changes that each break one criterion of the fixture feature's criteria. */
const perturbations: readonly ((facts: EvidenceFacts) => EvidenceFacts)[] = [
  (facts) => ({ ...facts, band: 'UHF' }),
  (facts) => ({ ...facts, product: 'c856M4k' }),
  (facts) => ({ ...facts, receptors: facts.receptors.slice(0, 2) }),
  (facts) => ({ ...facts, targets: [{ name: 'PKS 1934-63', tags: ['bpcal'] }] }),
  (facts) => ({ ...facts, compoundScans: [{ kind: 'raster', target: 'PKS 1934-63', durationSeconds: 300 }] }),
  (facts) => ({ ...facts, compoundScans: [{ kind: 'track', target: 'PKS 1934-63', durationSeconds: 100 }] }),
];

// Mostly qualifying facts, with one criterion broken in about a third of the cases, and start
// times that fall before the early deployments now and then.
const observationFacts: fc.Arbitrary<EvidenceFacts> = fc
  .record({
    observationId: fc.constantFrom('1552039941', '1552040000', '1552100000'),
    startUtc: fc.oneof(instant, earlyInstant),
    perturbation: fc.option(fc.constantFrom(...perturbations), { nil: undefined, freq: 2 }),
  })
  .map(({ observationId, startUtc, perturbation }) => {
    const facts = { ...qualifyingObservation, observationId, startUtc };
    return perturbation === undefined ? facts : perturbation(facts);
  });

const verification: fc.Arbitrary<RecordVerification> = fc
  .record({
    verificationId: fc.constantFrom('v-1', 'v-2', 'v-3', 'v-4', 'v-5', 'v-6'),
    outcome: fc.oneof(
      { arbitrary: fc.constant('passed' as const), weight: 3 },
      { arbitrary: fc.constantFrom('failed' as const, 'inconclusive' as const), weight: 1 },
    ),
    observations: fc.array(observationFacts, { minLength: 1, maxLength: 2 }),
    // Now and then an empty citation or an observation the handler did not find.
    citeNone: fc.integer({ min: 0, max: 9 }).map((roll) => roll === 0),
    citeMissing: fc.integer({ min: 0, max: 9 }).map((roll) => roll === 0),
    deliveringChange: fc.option(fc.record({ changeId, deployedAt: earlyInstant }), { nil: undefined, freq: 5 }),
    verifiedAt: verdictInstant,
  })
  .map(({ citeNone, citeMissing, observations, ...rest }) => ({
    type: 'RecordVerification',
    data: {
      featureKey: FEATURE_KEY,
      ...rest,
      observations,
      observationIds: citeNone ? [] : [...observations.map((facts) => facts.observationId), ...(citeMissing ? ['1551803062'] : [])],
      verifiedBy: 'commissioner',
    },
  }));

const propose = fc.oneof({ arbitrary: fc.constant(definition.evidenceCriteria), weight: 3 }, criteria).map((evidenceCriteria) => ({
  type: 'ProposeFeature' as const,
  data: { ...definition, evidenceCriteria, proposedBy: 'lead', proposedAt: '2019-03-01T00:00:00Z' },
}));

const deliver: fc.Arbitrary<FeatureCommand> = fc
  .record({ changeId: fc.option(changeId, { nil: undefined, freq: 5 }), deliveredAt: earlyInstant })
  .map((data) => ({ type: 'DeliverFeature', data: { featureKey: FEATURE_KEY, ...data } }));

const markSuspect: fc.Arbitrary<FeatureCommand> = fc.record({ changeId, deployedAt: instant }).map(({ changeId: id, deployedAt }) => ({
  type: 'MarkFeatureSuspect',
  data: { featureKey: FEATURE_KEY, changeId: id, deployedAt, sharedComponents: ['katsdpcontroller'], markedAt: deployedAt },
}));

const clearSuspicion: fc.Arbitrary<FeatureCommand> = instant.map((clearedAt) => ({
  type: 'ClearSuspicion',
  data: { featureKey: FEATURE_KEY, justification: 'logging only', clearedBy: 'commissioner', clearedAt },
}));

const setCriteria: fc.Arbitrary<FeatureCommand> = criteria.map((evidenceCriteria) => ({
  type: 'SetEvidenceCriteria',
  data: { featureKey: FEATURE_KEY, evidenceCriteria, setBy: 'lead', setAt: '2019-03-01T00:00:00Z' },
}));

const setTickets: fc.Arbitrary<FeatureCommand> = fc.subarray(['MKAIV-449', 'MKAIV-450', 'COMM-305']).map((ticketKeys) => ({
  type: 'SetFeatureTickets',
  data: { featureKey: FEATURE_KEY, ticketKeys, setBy: 'lead', setAt: '2019-03-01T00:00:00Z' },
}));

const withdraw: fc.Arbitrary<FeatureCommand> = fc.constant({
  type: 'WithdrawFeature',
  data: { featureKey: FEATURE_KEY, reason: 'superseded', withdrawnBy: 'lead', withdrawnAt: '2019-03-31T00:00:00Z' },
});

// Weighted towards deliveries and verifications; a withdrawal ends a history, so it is rare.
const featureCommand: fc.Arbitrary<FeatureCommand> = fc.oneof(
  { arbitrary: propose, weight: 2 },
  { arbitrary: deliver, weight: 6 },
  { arbitrary: verification, weight: 16 },
  { arbitrary: markSuspect, weight: 4 },
  { arbitrary: clearSuspicion, weight: 2 },
  { arbitrary: setCriteria, weight: 2 },
  { arbitrary: setTickets, weight: 1 },
  { arbitrary: withdraw, weight: 1 },
);

const source = fc.constantFrom(
  { importer: 'archive-search', file: 'archive-search-2019-03-08.tsv' },
  { importer: 'sdpmc', file: 'sdpmc-array_1_0-2019-03-08.log' },
);

const observationCommand: fc.Arbitrary<ObservationCommand> = fc.oneof(
  fc
    .record({
      source,
      facts: fc.record(
        {
          scheduleBlockId: fc.constantFrom('20190308-0083', '20190308-0084'),
          observer: fc.constantFrom('observer1', 'observer2'),
          startUtc: instant,
          band: fc.constantFrom('L', 'l', 'UHF'),
          receptors: fc.subarray(['m000', 'm001', 'm002']),
        },
        { requiredKeys: [] },
      ),
    })
    .map((data) => ({ type: 'RecordObservationFacts' as const, data: { observationId: '1552039941', ...data } })),
  fc.record({ level: fc.constantFrom('automated-qa' as const, 'inspected' as const, 'discarded' as const), reviewedAt: instant }).map((data) => ({
    type: 'ReviewObservation' as const,
    data: { observationId: '1552039941', reviewer: 'commissioner', reason: 'RFI', ...data },
  })),
  fc.constantFrom('20190308-0083', '20190308-0090').map((value) => ({
    type: 'UnlinkObservationIdentifier' as const,
    data: { observationId: '1552039941', identifier: { kind: 'schedule-block' as const, value }, reason: 'wrong match' },
  })),
);

/** Runs commands in order, skipping rejected ones, and returns the accepted events. */
function historyOf<Command, Event, State, Error>(decider: Decider<Command, Event, State, Error>, commands: readonly Command[]): Event[] {
  const events: Event[] = [];
  let state = decider.initialState;
  for (const command of commands) {
    const decision = decider.decide(command, state);
    if (E.isRight(decision)) {
      events.push(...decision.right);
      state = fold(decider, decision.right, state);
    }
  }
  return events;
}

function replayProperty<Command, Event, State, Error>(
  decider: Decider<Command, Event, State, Error>,
  commands: fc.Arbitrary<Command[]>,
): void {
  fc.assert(
    fc.property(commands, fc.nat(), (sequence, cut) => {
      const events = historyOf(decider, sequence);
      const split = events.length === 0 ? 0 : cut % (events.length + 1);
      const whole = fold(decider, events);
      expect(fold(decider, events)).toEqual(whole);
      expect(fold(decider, events.slice(split), fold(decider, events.slice(0, split)))).toEqual(whole);
      // A round trip through JSON, as the store does, must not change the state either.
      expect(fold(decider, JSON.parse(JSON.stringify(events)) as Event[])).toEqual(whole);
    }),
  );
}

/** Sequences that start with a proposal, so that most later commands have a feature to act on. */
function featureCommands(maxLength: number): fc.Arbitrary<FeatureCommand[]> {
  return fc.tuple(propose, fc.array(featureCommand, { minLength: 5, maxLength })).map(([first, rest]) => [first, ...rest]);
}

describe('replay', () => {
  it('folds features in chunks', () => {
    replayProperty(featureDecider, featureCommands(30));
  });

  it('folds observations in chunks', () => {
    replayProperty(observationDecider, fc.array(observationCommand, { maxLength: 20 }));
  });
});

describe('observation facts', () => {
  it('never overwrites a recorded fact', () => {
    fc.assert(
      fc.property(fc.array(observationCommand, { maxLength: 20 }), (commands) => {
        const state = fold(observationDecider, historyOf(observationDecider, commands));
        const firstValues = new Map<string, unknown>();
        for (const command of commands) {
          if (command.type !== 'RecordObservationFacts') {
            continue;
          }
          for (const [name, value] of Object.entries(command.data.facts)) {
            if (!firstValues.has(name)) {
              firstValues.set(name, value);
            }
          }
        }
        for (const [name, value] of firstValues) {
          expect(state.facts[name as keyof typeof state.facts]?.value).toEqual(value);
        }
      }),
    );
  });
});

/**
 * Computes, independently of the decider, the instant evidence must follow: the deployment of
 * the delivering change (or the delivery time without one) and every suspicion since.
 */
function requiredAfterMs(history: readonly FeatureEvent[], command: RecordVerification): number {
  let bound = -Infinity;
  for (const event of history) {
    if (event.type === 'FeatureDelivered') {
      const byChange = event.data.changeId !== null;
      bound = byChange ? Date.parse(command.data.deliveringChange?.deployedAt ?? 'missing') : Date.parse(event.data.deliveredAt);
    }
    if (event.type === 'FeatureMarkedSuspect') {
      bound = Math.max(bound, Date.parse(event.data.deployedAt));
    }
  }
  return bound;
}

function assertQualifying(history: readonly FeatureEvent[], state: FeatureState, command: RecordVerification): void {
  const { observationIds, observations } = command.data;
  expect(observationIds.length).toBeGreaterThan(0);
  const bound = requiredAfterMs(history, command);
  for (const id of observationIds) {
    const facts = observations.find((candidate) => candidate.observationId === id);
    expect(facts, `cited observation ${id} has no facts`).toBeDefined();
    expect(Date.parse(facts?.startUtc ?? 'missing')).toBeGreaterThanOrEqual(bound);
    expect(matchEvidence(facts!, state.definition?.evidenceCriteria ?? {})).toEqual([]);
  }
}

describe('verification invariant', () => {
  it('never verifies without evidence', () => {
    fc.assert(
      fc.property(featureCommands(40), (commands) => {
        const history: FeatureEvent[] = [];
        let state = featureDecider.initialState;
        let passedSinceDelivery = false;
        for (const command of commands) {
          const decision = featureDecider.decide(command, state);
          if (E.isLeft(decision)) {
            continue;
          }
          for (const event of decision.right) {
            if (event.type === 'VerificationRecorded') {
              // A verdict follows the delivery it verifies and the observations it cites.
              const verified = Date.parse(event.data.verifiedAt);
              expect(verified).toBeGreaterThanOrEqual(Date.parse(state.delivery?.deliveredAt ?? 'missing'));
              for (const facts of (command as RecordVerification).data.observations) {
                if (event.data.observationIds.includes(facts.observationId)) expect(verified).toBeGreaterThanOrEqual(Date.parse(facts.startUtc ?? 'missing'));
              }
            }
            if (event.type === 'VerificationRecorded' && event.data.outcome === 'passed') {
              assertQualifying(history, state, command as RecordVerification);
              passedSinceDelivery = true;
            }
            if (event.type === 'FeatureDelivered') {
              passedSinceDelivery = false;
            }
            history.push(event);
            state = featureDecider.evolve(state, event);
          }
          if (state.status === 'verified' || state.status === 'suspect') {
            expect(passedSinceDelivery).toBe(true);
          }
        }
      }),
      { numRuns: 300 },
    );
  });

  it('passes some generated verifications', () => {
    // Guards the property above against generators that never record a passed verification.
    const samples = fc.sample(featureCommands(40), { numRuns: 300, seed: 42 });
    const withPass = samples.filter((commands) =>
      historyOf(featureDecider, commands).some((event) => event.type === 'VerificationRecorded' && event.data.outcome === 'passed'),
    );
    expect(withPass.length).toBeGreaterThan(30);
  });
});
