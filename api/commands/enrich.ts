/**
 * Facts from other streams that a decision needs, read here and passed in with the command so
 * the decider stays pure. A client never supplies them: a RecordVerification's observation
 * facts and delivering deployment always come from the log, whatever the request contained.
 */
import {
  currentDeployment,
  evidenceFactsOf,
  fold,
  changeDecider,
  changeStream,
  observationDecider,
  observationStream,
  targetDecider,
  targetStream,
  type DeliveringChange,
  type EvidenceFacts,
  type FeatureState,
  type OnskyCommand,
  type RecordVerification,
} from '../../domain/index.js';
import type { EventStore, RecordedEvent } from '../../store/port.js';

/** The part of a store enrichment reads; an import's dry run passes its own view of the log. */
export type StreamReader = Pick<EventStore, 'readStream'>;

/** Lookups a read model can serve faster, or more completely, than reading streams. */
export interface FactLookups {
  /** Catalogue tags of a target, by its name or any alias. */
  tagsOf(targetName: string): readonly string[] | Promise<readonly string[]>;
}

export async function enrichCommand(
  command: OnskyCommand,
  state: unknown,
  store: StreamReader,
  lookups: Partial<FactLookups> = {},
): Promise<OnskyCommand> {
  if (command.type !== 'RecordVerification') return command;
  return enrichVerification(command, state as FeatureState, store, lookups);
}

async function enrichVerification(
  command: RecordVerification,
  feature: FeatureState,
  store: StreamReader,
  lookups: Partial<FactLookups>,
): Promise<RecordVerification> {
  const observations: EvidenceFacts[] = [];
  for (const observationId of new Set(command.data.observationIds)) {
    const facts = await observationFacts(observationId, store, lookups);
    if (facts !== undefined) observations.push(facts);
  }

  const { deliveringChange: _fromClient, ...data } = command.data;
  const changeId = feature.delivery?.changeId ?? null;
  const deliveringChange = changeId === null ? undefined : await deployment(changeId, store);
  return {
    type: 'RecordVerification',
    data: { ...data, observations, ...(deliveringChange === undefined ? {} : { deliveringChange }) },
  };
}

async function observationFacts(observationId: string, store: StreamReader, lookups: Partial<FactLookups>): Promise<EvidenceFacts | undefined> {
  const state = fold(observationDecider, await readEvents(store, observationStream(observationId)));
  const targetNames = (state.facts.targets?.value as ReadonlyArray<{ name: string }> | undefined)?.map((target) => target.name) ?? [];
  const tags = new Map<string, readonly string[]>();
  for (const name of new Set(targetNames)) {
    tags.set(name, lookups.tagsOf === undefined ? await catalogueTags(name, store) : await lookups.tagsOf(name));
  }
  return evidenceFactsOf(state, (name) => tags.get(name) ?? []);
}

async function deployment(changeId: string, store: StreamReader): Promise<DeliveringChange | undefined> {
  const state = fold(changeDecider, await readEvents(store, changeStream(changeId)));
  const live = currentDeployment(state);
  return live === undefined ? undefined : { changeId, deployedAt: live.deployedAt };
}

/** Tags from the target's own stream; aliases need a read model's `tagsOf`. */
async function catalogueTags(targetName: string, store: StreamReader): Promise<readonly string[]> {
  const state = fold(targetDecider, await readEvents(store, targetStream(targetName)));
  return state.target?.tags ?? [];
}

async function readEvents<E>(store: StreamReader, stream: string): Promise<E[]> {
  const events: E[] = [];
  for await (const event of store.readStream(stream)) events.push(event as RecordedEvent as unknown as E);
  return events;
}
