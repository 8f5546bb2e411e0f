import { join } from 'node:path';
import * as E from 'fp-ts/lib/Either.js';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CommandHandler, eventId, type CommandFailure, type CommandOutcome } from '../../api/commands/handler.js';
import type { OnskyCommand, OnskyEvent } from '../../domain/index.js';
import type { RecordedEvent } from '../../store/port.js';
import { openSqliteStore, type SqliteEventStore } from '../../store/sqlite.js';
import { collect } from '../contract/suite.js';
import { definition } from '../domain/fixtures.js';
import { tempFolder } from '../support/temp.js';

const context = { actor: 'lead' };
const source = { importer: 'obslog', file: 'obslog-1551803062.log' };

let folder: ReturnType<typeof tempFolder>;
let store: SqliteEventStore;

beforeEach(() => {
  folder = tempFolder('onsky-commands-');
  store = openSqliteStore(join(folder.path, 'events.sqlite'));
});

afterEach(async () => {
  await store.close();
  folder.remove();
});

/** Verified features by component, folded from the whole log: slow, but exact. */
function verifiedFeaturesFromLog(log: SqliteEventStore) {
  return {
    verifiedFeaturesWithComponent(component: string): string[] {
      const status = new Map<string, string>();
      const components = new Map<string, readonly string[]>();
      for (const page of log.readAllPages()) {
        for (const event of page as Array<RecordedEvent<OnskyEvent['type'], Record<string, unknown>>>) {
          const key = event.data.featureKey as string;
          if (event.type === 'FeatureProposed') components.set(key, event.data.components as string[]);
          if (event.type === 'FeatureDelivered') status.set(key, 'delivered');
          if (event.type === 'VerificationRecorded') status.set(key, event.data.outcome === 'passed' ? 'verified' : (status.get(key) ?? 'delivered'));
          if (event.type === 'FeatureMarkedSuspect') status.set(key, 'suspect');
        }
      }
      return [...status].filter(([key, value]) => value === 'verified' && components.get(key)?.includes(component)).map(([key]) => key);
    },
  };
}

async function expectOutcome(result: Promise<E.Either<CommandFailure, CommandOutcome>>): Promise<CommandOutcome> {
  const settled = await result;
  if (E.isLeft(settled)) throw new Error(`expected success, got ${settled.left.kind}: ${settled.left.message}`);
  return settled.right;
}

async function expectFailure(result: Promise<E.Either<CommandFailure, CommandOutcome>>): Promise<CommandFailure> {
  const settled = await result;
  if (E.isRight(settled)) throw new Error(`expected an error, got ${JSON.stringify(settled.right.events)}`);
  return settled.left;
}

const propose: OnskyCommand = { type: 'ProposeFeature', data: { ...definition, proposedBy: 'lead', proposedAt: '2019-03-01T08:00:00Z' } };

const recordChange: OnskyCommand = {
  type: 'RecordChange',
  data: {
    changeId: 'CBF-REL-5.1',
    kind: 'software',
    subsystem: 'CBF',
    components: ['cbf-fengine'],
    version: '5.1.0',
    summary: 'Correct the 1K mode start delay',
    ticketKeys: ['MKAIV-449'],
    deliversFeatures: [definition.featureKey],
    recordedBy: 'engineer',
    recordedAt: '2019-03-06T09:00:00Z',
  },
};

function deploy(changeId: string, deployedAt: string): OnskyCommand {
  return {
    type: 'DeployChange',
    data: { changeId, deploymentId: `${changeId}@${deployedAt}`, deployedAt, scope: { subarray: 'array_1', receptors: [], hosts: [] } },
  };
}

const observationFacts: OnskyCommand = {
  type: 'RecordObservationFacts',
  data: {
    observationId: '1552039941',
    source,
    facts: {
      captureBlockId: '1552039941',
      startUtc: '2019-03-08T10:12:21Z',
      endUtc: '2019-03-08T10:42:21Z',
      band: 'L',
      product: 'c856M1k',
      receptors: ['m000', 'm001', 'm002', 'm010', 'm043'],
      targets: [{ name: 'PKS 1934-63', tags: ['radec'] }],
      compoundScans: [{ kind: 'track', target: 'PKS 1934-63', durationSeconds: 300 }],
    },
  },
};

const catalogueEntry: OnskyCommand = {
  type: 'RecordTarget',
  data: { targetName: 'PKS 1934-63', aliases: ['J1939-6342'], tags: ['radec', 'delaycal', 'bpcal'], coordinates: '', recordedAt: '2019-03-01T00:00:00Z' },
};

function verify(overrides: Record<string, unknown> = {}): OnskyCommand {
  return {
    type: 'RecordVerification',
    data: {
      featureKey: definition.featureKey,
      verificationId: 'v-1',
      outcome: 'passed',
      observationIds: ['1552039941'],
      verifiedBy: 'commissioner',
      verifiedAt: '2019-03-09T09:00:00Z',
      observations: [],
      ...overrides,
    },
  } as OnskyCommand;
}

describe('command handler', () => {
  it('appends the decided events', async () => {
    const handler = new CommandHandler({ store });
    const outcome = await expectOutcome(handler.handle(propose, { ...context, correlationId: 'corr-1' }));
    expect(outcome.stream).toBe('feature-CBF-1K-DELAY');
    expect(outcome.events.map((event) => event.type)).toEqual(['FeatureProposed']);
    const [stored] = await collect(store.readStream('feature-CBF-1K-DELAY'));
    expect(stored!.id).toBe(outcome.events[0]!.id);
    expect(stored!.schemaVersion).toBe(2);
    expect(stored!.metadata.actor).toBe('lead');
    expect(stored!.metadata.correlationId).toBe('corr-1');
  });

  it('returns a domain error and appends nothing', async () => {
    const handler = new CommandHandler({ store });
    await expectOutcome(handler.handle(propose, context));
    const error = await expectFailure(handler.handle(propose, context));
    expect(error.kind).toBe('FeatureAlreadyExists');
    expect(error.message).toContain('CBF-1K-DELAY');
    expect((await collect(store.readAll())).length).toBe(1);
  });

  it('rejects a command without its id', async () => {
    const handler = new CommandHandler({ store });
    const error = await expectFailure(handler.handle({ type: 'ProposeFeature', data: { ...propose.data, featureKey: '' } } as OnskyCommand, context));
    expect(error.kind).toBe('InvalidValue');
    expect(error.message).toContain('featureKey');
  });

  it('delivers features when a change deploys', async () => {
    const handler = new CommandHandler({ store, verifiedFeatures: verifiedFeaturesFromLog(store) });
    await expectOutcome(handler.handle(propose, context));
    await expectOutcome(handler.handle(recordChange, context));
    const outcome = await expectOutcome(handler.handle(deploy('CBF-REL-5.1', '2019-03-07T12:00:00Z'), context));

    expect(outcome.followUps.map((followUp) => followUp.events.map((event) => event.type))).toEqual([['FeatureDelivered']]);
    const feature = await collect(store.readStream('feature-CBF-1K-DELAY'));
    const delivered = feature.at(-1)!;
    expect(delivered.type).toBe('FeatureDelivered');
    expect(delivered.data).toEqual({ featureKey: 'CBF-1K-DELAY', changeId: 'CBF-REL-5.1', deliveredAt: '2019-03-07T12:00:00Z' });
    expect(delivered.metadata.causationId).toBe(outcome.events[0]!.id);
  });

  it('verifies with facts read from the log', async () => {
    const handler = new CommandHandler({ store, verifiedFeatures: verifiedFeaturesFromLog(store) });
    for (const command of [propose, recordChange, deploy('CBF-REL-5.1', '2019-03-07T12:00:00Z'), observationFacts, catalogueEntry]) {
      await expectOutcome(handler.handle(command, context));
    }
    const outcome = await expectOutcome(handler.handle(verify(), context));
    expect(outcome.events.map((event) => event.type)).toEqual(['VerificationRecorded']);
    expect(outcome.events[0]!.data).toMatchObject({ outcome: 'passed', observationIds: ['1552039941'], changeId: 'CBF-REL-5.1' });
  });

  it('ignores facts a client supplies', async () => {
    const handler = new CommandHandler({ store });
    for (const command of [propose, recordChange, deploy('CBF-REL-5.1', '2019-03-07T12:00:00Z'), observationFacts]) {
      await expectOutcome(handler.handle(command, context));
    }
    // Without the catalogue entry the stored observation has no delaycal target, whatever the
    // request claims about it.
    const forged = { observationId: '1552039941', startUtc: '2019-03-08T10:12:21Z', band: 'L', product: 'c856M1k', receptors: ['m000', 'm001', 'm002', 'm003'], targets: [{ name: 'PKS 1934-63', tags: ['delaycal'] }], compoundScans: [{ kind: 'track', target: 'PKS 1934-63', durationSeconds: 900 }] };
    const error = await expectFailure(handler.handle(verify({ observations: [forged] }), context));
    expect(error.kind).toBe('EvidenceCriteriaUnmet');
    expect(error.message).toContain('1552039941');
  });

  it('rejects an observation that does not exist', async () => {
    const handler = new CommandHandler({ store });
    for (const command of [propose, recordChange, deploy('CBF-REL-5.1', '2019-03-07T12:00:00Z')]) {
      await expectOutcome(handler.handle(command, context));
    }
    const error = await expectFailure(handler.handle(verify({ observationIds: ['1999999999'] }), context));
    expect(error.kind).toBe('ObservationNotFound');
    expect(error.message).toContain('1999999999');
  });

  it('marks verified features suspect', async () => {
    const handler = new CommandHandler({ store, verifiedFeatures: verifiedFeaturesFromLog(store) });
    for (const command of [propose, recordChange, deploy('CBF-REL-5.1', '2019-03-07T12:00:00Z'), observationFacts, catalogueEntry, verify()]) {
      await expectOutcome(handler.handle(command, context));
    }
    const firmware: OnskyCommand = {
      type: 'RecordChange',
      data: { ...(recordChange.data as object), changeId: 'CBF-FW-7', kind: 'firmware', deliversFeatures: [], components: ['cbf-fengine'], recordedAt: '2019-03-10T08:00:00Z' } as never,
    };
    await expectOutcome(handler.handle(firmware, context));
    const outcome = await expectOutcome(handler.handle(deploy('CBF-FW-7', '2019-03-10T09:00:00Z'), context));

    const suspect = outcome.followUps.flatMap((followUp) => followUp.events);
    expect(suspect.map((event) => event.type)).toEqual(['FeatureMarkedSuspect']);
    expect(suspect[0]!.data).toMatchObject({ featureKey: 'CBF-1K-DELAY', changeId: 'CBF-FW-7', sharedComponents: ['cbf-fengine'] });
  });

  it('reports a delivery of an unknown feature', async () => {
    const warnings: string[] = [];
    const logger = { info: () => undefined, warn: (_fields: Record<string, unknown>, message: string) => warnings.push(message) };
    const handler = new CommandHandler({ store, logger });
    await expectOutcome(handler.handle(recordChange, context));
    const outcome = await expectOutcome(handler.handle(deploy('CBF-REL-5.1', '2019-03-07T12:00:00Z'), context));
    expect(outcome.followUpErrors.map((error) => error.kind)).toEqual(['FeatureNotFound']);
    expect(warnings[0]).toContain('CBF-1K-DELAY');
  });

  it('retries when writers race', async () => {
    const handler = new CommandHandler({ store, maxAttempts: 20 });
    await expectOutcome(handler.handle(observationFacts, context));
    const anomalies = Array.from({ length: 8 }, (_, index) =>
      handler.handle(
        {
          type: 'NoteObservationAnomaly',
          data: { observationId: '1552039941', anomaly: { kind: 'stragglers', receptors: [`m0${10 + index}`], detail: `wait ${index}` }, source, notedAt: '2019-03-08T10:13:00Z' },
        },
        context,
      ),
    );
    const outcomes = await Promise.all(anomalies);
    expect(outcomes.every(E.isRight)).toBe(true);
    const events = await collect(store.readStream('observation-1552039941'));
    expect(events.filter((event) => event.type === 'ObservationAnomalyNoted').length).toBe(8);
  });

  it('adds nothing for a seeded command run twice', async () => {
    const handler = new CommandHandler({ store });
    await expectOutcome(handler.handle(observationFacts, context));
    const note: OnskyCommand = {
      type: 'NoteObservationAnomaly',
      data: { observationId: '1552039941', anomaly: { kind: 'capture-done-failed', detail: 'timeout on sdp.ingest.1' }, source, notedAt: '2019-03-08T10:43:00Z' },
    };
    await expectOutcome(handler.handle(note, { ...context, idSeed: 'sdpmc:line-17' }));
    await expectOutcome(handler.handle(note, { ...context, idSeed: 'sdpmc:line-17' }));
    const events = await collect(store.readStream('observation-1552039941'));
    expect(events.filter((event) => event.type === 'ObservationAnomalyNoted').length).toBe(1);
  });
});

describe('seeded event ids', () => {
  const event = { type: 'TicketRecorded', data: { ticketKey: 'DEMO-2719' } } as unknown as OnskyEvent;

  it('repeats for the same event', () => {
    expect(eventId('jira:DEMO-2719', 'ticket-DEMO-2719', 0, event)).toBe(eventId('jira:DEMO-2719', 'ticket-DEMO-2719', 0, event));
  });

  it('differs when the content differs', () => {
    const other = { ...event, data: { ticketKey: 'DEMO-2720' } } as unknown as OnskyEvent;
    expect(eventId('jira:DEMO-2719', 'ticket-DEMO-2719', 0, event)).not.toBe(eventId('jira:DEMO-2719', 'ticket-DEMO-2719', 0, other));
  });

  it('is a version 5 UUID', () => {
    expect(eventId('seed', 's', 0, event)).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  });
});
