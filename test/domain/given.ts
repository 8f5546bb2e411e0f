/**
 * Given/when/then specifications over a decider: given these past events, when this command,
 * then these new events, or this error.
 *
 *   const given = specFor(featureDecider);
 *   given([proposed]).when(deliver).then([delivered]);
 *   given([]).when(deliver).thenError('FeatureNotFound');
 */
import * as E from 'fp-ts/lib/Either.js';
import { expect } from 'vitest';
import { fold, type Decider } from '../../domain/event.js';

interface Outcome<Event, Error> {
  /** Asserts the decision is exactly these events, in order. */
  then(expected: readonly Event[]): readonly Event[];
  /** Asserts the decision is an error of this kind, and returns it for further checks. */
  thenError<Kind extends string>(kind: Kind): Extract<Error, { kind: Kind }>;
}

interface Given<Command, Event, Error> {
  when(command: Command): Outcome<Event, Error>;
}

export function specFor<Command, Event, State, Error extends { kind: string; message: string }>(
  decider: Decider<Command, Event, State, Error>,
): (events: readonly Event[]) => Given<Command, Event, Error> {
  return (events) => ({
    when(command) {
      const decision = decider.decide(command, fold(decider, events));
      return {
        then(expected) {
          if (E.isLeft(decision)) {
            throw new Error(`expected events, got error ${decision.left.kind}: ${decision.left.message}`);
          }
          expect(decision.right).toEqual(expected);
          return decision.right;
        },
        thenError(kind) {
          if (E.isRight(decision)) {
            throw new Error(`expected error ${kind}, got events ${JSON.stringify(decision.right)}`);
          }
          expect(decision.left.kind).toBe(kind);
          return decision.left as Extract<Error, { kind: typeof kind }>;
        },
      };
    },
  });
}
