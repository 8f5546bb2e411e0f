/**
 * A full garbage collection on demand, for tests that measure live memory. `--expose-gc` cannot be
 * passed to Vitest's workers from here, so the flag is set at run time and `gc` is taken from a
 * fresh context, where V8 installs it once the flag is on.
 */
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

/** Collects every unreachable object now. */
export function collectGarbage(): void {
  gc();
}
