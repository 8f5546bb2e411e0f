/**
 * The API's view of the projections runtime: the live read models, read models as of a past
 * time, the position they reflect, and a signal when events change them.
 */
import type { Projections, ReadModelName, ReadModels, ViewTimes } from '../projections/index.js';
import type { Position } from '../store/port.js';

export interface ReadSide {
  /** True once the read models have caught up with the log as it was when they started. */
  isReady(): boolean;
  /** Position of the last event the read models applied, `undefined` before the first. */
  position(): Position | undefined;
  /** The live read models. */
  current(): ReadModels;
  /** Read models folded from the events recorded at or before `time` (ISO 8601 UTC). */
  asOf(time: string): Promise<ReadModels>;
  /** Read models folded from the events recorded by `recordedUntil` that happened by `occurredUntil`. */
  view(times: ViewTimes): Promise<ReadModels>;
  /** Resolves once the live read models have applied the event at `position`. */
  waitFor(position: Position): Promise<void>;
  /** Calls `listener` after events changed read models; returns a function that stops the calls. */
  onChange(listener: (models: readonly ReadModelName[]) => void): () => void;
}

/** Maximum wait for the read models to apply a command's events before the mutation fails with a reference id. */
const CATCH_UP_TIMEOUT_MS = 10_000;

/** Adapts the projections runtime to the API's `ReadSide`. */
export function readSideOf(projections: Projections): ReadSide {
  let ready = false;
  projections.ready.then(
    () => {
      ready = true;
    },
    () => undefined,
  );
  const reached = (target: Position): boolean => projections.position !== undefined && projections.position >= target;

  return {
    isReady: () => ready,
    position: () => projections.position,
    current: () => projections.query,
    asOf: (time) => projections.asOf(time),
    view: (times) => projections.view(times),
    onChange: (listener) => projections.onChange((change) => listener(change.models)),
    waitFor: (target) => {
      if (reached(target)) return Promise.resolve();
      return new Promise<void>((resolve, reject) => {
        const check = (): void => {
          if (!reached(target)) return;
          finish();
          resolve();
        };
        const stop = projections.onChange(check);
        // The runtime reports changes once per batch; polling as well covers an event that changes no read model.
        const poll = setInterval(check, 20);
        const timeout = setTimeout(() => {
          finish();
          reject(new Error(`the read models did not reach log position ${target} within ${CATCH_UP_TIMEOUT_MS / 1000} s (they are at ${projections.position ?? 'none'})`));
        }, CATCH_UP_TIMEOUT_MS);
        const finish = (): void => {
          stop();
          clearInterval(poll);
          clearTimeout(timeout);
        };
      });
    },
  };
}
