/**
 * Failure reports of the commands: a user's mistake or unusable input is one line with exit code
 * 2, anything else is a bug, shown with its stack and exit code 1.
 */
import { UsageError } from './options.js';

/** Error names of the store, the importers and the fold that describe bad input, not a bug in onsky. */
const INPUT_ERRORS = ['ImportError', 'ImportLockError', 'InvalidAppendError', 'UnknownPositionError', 'StoreUnavailableError', 'NewerEventError'];

export interface Failure {
  /** 2 for a usage or input error, 1 for a bug. */
  readonly exitCode: 1 | 2;
  /** One line for the user; for a bug, the first line of its message. */
  readonly message: string;
  /** The stack of a bug, to print after the message. */
  readonly detail?: string;
  /** File and 1-based line of the input the error is about, when it names them. */
  readonly file?: string;
  readonly line?: number;
}

export function describeFailure(error: unknown): Failure {
  // The EventStoreDB client marks a server it cannot reach with the type "unavailable".
  if (error instanceof Error && (error as { type?: unknown }).type === 'unavailable') {
    return { exitCode: 2, message: `cannot reach EventStoreDB (${error.message.split('\n')[0]}); check that the server runs and that --store names it` };
  }
  if (error instanceof UsageError || (error instanceof Error && INPUT_ERRORS.includes(error.name))) {
    const { file, line } = error as { file?: unknown; line?: unknown };
    return {
      exitCode: 2,
      message: error.message,
      ...(typeof file === 'string' ? { file } : {}),
      ...(typeof line === 'number' ? { line } : {}),
    };
  }
  const message = error instanceof Error ? error.message.split('\n')[0] ?? '' : String(error);
  return { exitCode: 1, message, detail: error instanceof Error ? (error.stack ?? error.message) : String(error) };
}

/**
 * A failure the command has already printed, e.g. as JSON on standard output for --json, so the
 * entry point only sets the exit code (and prints a bug's stack on standard error).
 */
export class ReportedFailure extends Error {
  override readonly name = 'ReportedFailure';

  constructor(readonly failure: Failure) {
    super(failure.message);
  }
}
