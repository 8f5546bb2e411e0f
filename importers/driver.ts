/**
 * The loop shared by line-based parsers: it reads batches from the line reader, hands each line
 * to a format's handler, and yields what the handler produced, in file order.
 */
import { INTERNAL_ERROR_PREFIX, type LineSink, readLineBatches, readLinesInto, type TextLine } from './lines.js';
import { applyStrictness, type Parsed, type ParseOptions, type Source, sourceName, throwFirstWarning, warning } from './types.js';

/** A format's per-line state machine. It appends its output to `out` rather than returning it. */
export interface LineHandler<R> {
  line(line: TextLine, out: Parsed<R>[]): void;
  end(out: Parsed<R>[]): void;
}

/**
 * A format's per-line state machine that takes each line's text straight from the line reader
 * (see `LineSink`), for formats whose files run to gigabytes.
 */
export interface TextLineHandler<R> extends LineSink<Parsed<R>> {
  end(out: Parsed<R>[]): void;
}

/** Yields a text-line handler's output one item at a time; see `parseLinesWith`. */
export function parseTextLinesWith<R>(source: Source, options: ParseOptions, handler: TextLineHandler<R>): AsyncGenerator<Parsed<R>> {
  return applyStrictness(flatten(runTextHandler(source, options, handler)), options.strict);
}

/** Yields a text-line handler's output in batches, one per chunk read; see `parseLineBatchesWith`. */
export function parseTextLineBatchesWith<R>(source: Source, options: ParseOptions, handler: TextLineHandler<R>): AsyncGenerator<Parsed<R>[]> {
  return runTextHandler(source, options, handler, options.strict === true);
}

/**
 * Applies strictness, as `parseTextLineBatchesWith` does, to a handler's batches that were made
 * another way, for example by a handler that builds what a worker thread scanned.
 */
export async function* strictBatches<R>(batches: AsyncIterable<Parsed<R>[]>, strict: boolean | undefined): AsyncGenerator<Parsed<R>[]> {
  for await (const batch of batches) yield* strictly(batch, strict === true);
}

/** Yields such batches one item at a time, as `parseTextLinesWith` does. */
export function strictItems<R>(batches: AsyncIterable<Parsed<R>[]>, strict: boolean | undefined): AsyncGenerator<Parsed<R>> {
  return applyStrictness(flatten(batches), strict);
}

/** Runs a text-line handler over a source on this thread, without strictness; see `parseTextLineBatchesWith`. */
export function textHandlerBatches<R>(source: Source, options: ParseOptions, handler: TextLineHandler<R>): AsyncGenerator<Parsed<R>[]> {
  return runTextHandler(source, options, handler);
}

async function* runTextHandler<R>(source: Source, options: ParseOptions, handler: TextLineHandler<R>, strict = false): AsyncGenerator<Parsed<R>[]> {
  for await (const batch of readLinesInto<Parsed<R>>(source, options, handler)) yield* strictly(batch, strict);
  const out: Parsed<R>[] = [];
  handler.end(out);
  yield* strictly(out, strict);
}

export function parseLinesWith<R>(source: Source, options: ParseOptions, handler: LineHandler<R>): AsyncGenerator<Parsed<R>> {
  return applyStrictness(flatten(runHandler(source, options, handler)), options.strict);
}

/**
 * Runs a handler and yields its output in batches, one per chunk read. Consumers that append in
 * batches (the store, benchmarks) use this to skip the cost of one await per record.
 */
export function parseLineBatchesWith<R>(source: Source, options: ParseOptions, handler: LineHandler<R>): AsyncGenerator<Parsed<R>[]> {
  return runHandler(source, options, handler, options.strict === true);
}

async function* flatten<R>(batches: AsyncIterable<Parsed<R>[]>): AsyncGenerator<Parsed<R>> {
  for await (const batch of batches) {
    // A plain loop: `yield*` over an array in an async generator costs about twice as much per item.
    for (const item of batch) yield item;
  }
}

async function* runHandler<R>(source: Source, options: ParseOptions, handler: LineHandler<R>, strict = false): AsyncGenerator<Parsed<R>[]> {
  const file = sourceName(source);
  for await (const batch of readLineBatches(source, options)) {
    const out: Parsed<R>[] = [];
    for (const item of batch) {
      if (item.kind === 'warning') {
        out.push(item);
        continue;
      }
      // One malformed line must not stop an import of millions, so a failure inside a handler
      // becomes a warning on that line. The fuzz tests count such warnings as parser bugs.
      try {
        handler.line(item, out);
      } catch (error) {
        out.push(warning(file, item.line, `${INTERNAL_ERROR_PREFIX} ${error instanceof Error ? error.message : String(error)}`));
      }
    }
    yield* strictly(out, strict);
  }

  const out: Parsed<R>[] = [];
  handler.end(out);
  yield* strictly(out, strict);
}

/**
 * Yields a batch whole, or in strict mode only the records before its first warning and then
 * raises that warning, so that a strict import keeps what it read before the problem.
 */
function* strictly<R>(batch: Parsed<R>[], strict: boolean): Generator<Parsed<R>[]> {
  const first = strict ? batch.findIndex((item) => item.kind === 'warning') : -1;
  if (first < 0) {
    yield batch;
    return;
  }
  if (first > 0) yield batch.slice(0, first);
  throwFirstWarning([batch[first]!]);
}

export { INTERNAL_ERROR_PREFIX };
