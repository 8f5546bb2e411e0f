import type { Either } from 'fp-ts/lib/Either.js';

/**
 * The shape every domain event and command shares. Domain events carry no envelope: the store
 * adds id, stream, revision, position and metadata, and the schema version comes from the
 * owning aggregate's table of current versions.
 */
export interface DomainEvent<Type extends string = string, Data = unknown> {
  readonly type: Type;
  readonly data: Data;
}

export interface DomainCommand<Type extends string = string, Data = unknown> {
  readonly type: Type;
  readonly data: Data;
}

/**
 * An aggregate in the decider style: `decide` turns a command into events or a domain error
 * without side effects, `evolve` folds one event into the state, `initialState` is the state of
 * a stream with no events.
 */
export interface Decider<Command, Event, State, Error> {
  readonly decide: (command: Command, state: State) => Either<Error, readonly Event[]>;
  readonly evolve: (state: State, event: Event) => State;
  readonly initialState: State;
}

/** Folds events into a state, starting from the decider's initial state unless one is given. */
export function fold<Command, Event, State, Error>(
  decider: Decider<Command, Event, State, Error>,
  events: Iterable<Event>,
  from: State = decider.initialState,
): State {
  let state = from;
  for (const event of events) {
    state = decider.evolve(state, event);
  }
  return state;
}
