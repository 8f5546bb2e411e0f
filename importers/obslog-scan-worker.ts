/**
 * The worker thread that reads and scans a large obslog (see obslog-scan.ts) while the main
 * thread builds records from what it posts. It posts each chunk it read with the tape of the
 * chunk's lines. It posts only while it has credit, which the main thread gives back for each
 * tape it takes, so that memory stays bounded whatever the file's size.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { type LineEncoding, type LineSink, readLinesInto } from './lines.js';
import { LineTape, ObslogScanner, type ScanMessage, type ScanRequest } from './obslog-scan.js';
import { ImportError, type ParsedWarning } from './types.js';

/** Entries a tape starts with room for: the lines of a 1 MiB chunk at 64 bytes a line. */
const TAPE_ENTRIES = 16 * 1024;
/**
 * Memory at least this large is handed to the main thread whole instead of copied. Smaller
 * buffers may be slices of Node's shared 8 KiB pool, which must not be handed over.
 */
const TRANSFER_MIN_BYTES = 64 * 1024;
/** Copied bytes after which a tape with no chunk in it is posted (see `postIfLarge`). */
const COPIED_BYTES_TO_POST = 1024 * 1024;

/**
 * Scans each line into a tape, and posts the tape with the memory its lines are in. The reader
 * passes lines in views of its chunks, batch after batch, and a line split over two chunks in a
 * buffer of its own, which contains that line alone. A chunk's memory is handed over whole once the
 * reader has moved to the next chunk; single lines and small memory are copied.
 */
class TapeSink implements LineSink<never> {
  private readonly scanner = new ObslogScanner(true);
  private tape = new LineTape(TAPE_ENTRIES);
  /** The memory the tape's lines are in, by the index in their entries. */
  private buffers: ArrayBuffer[] = [];
  /** The chunk being split, once two of its lines were seen, and its index in `buffers`. */
  private chunk: ArrayBufferLike | undefined;
  private chunkIndex = 0;
  /** Memory that one line has come in so far: a new chunk, or a buffer for that one line. */
  private candidate: ArrayBufferLike | undefined;
  /** Small memory copied whole, as the view it came in, and its index in `buffers`. */
  private copied: Buffer | undefined;
  private copiedIndex = 0;
  /** Bytes of the tape's memory that were copied rather than handed over. */
  private copiedBytes = 0;
  /** The reader's item list that `line` last saw, and how many of its warnings are on the tape. */
  private items: unknown[] | undefined;
  private warningsTaken = 0;

  constructor(private readonly credits: Int32Array) {}

  /** The view the last line came in, the index of its memory and where the view starts in it. */
  private lastView: Buffer | undefined;
  private lastIndex = 0;
  private lastShift = 0;

  line(source: Buffer, start: number, end: number, line: number, encoding: LineEncoding, out: (never | ParsedWarning)[]): void {
    if (out.length > 0) this.takeWarnings(out);
    this.postIfLarge();

    // Most lines come in the view of the line before, whose memory is known.
    if (source === this.lastView) {
      this.tape.buffer = this.lastIndex;
      this.scanner.scan(source, start, end, line, encoding, this.tape, this.lastShift);
      return;
    }
    this.lastView = undefined;
    const memory = source.buffer;

    if (memory === this.chunk) {
      this.remember(source, this.chunkIndex, source.byteOffset);
      this.scanner.scan(source, start, end, line, encoding, this.tape, source.byteOffset);
      return;
    }
    if (!(memory instanceof ArrayBuffer) || memory.byteLength < TRANSFER_MIN_BYTES) {
      // Possibly a slice of the shared pool: copied whole, once for all its lines.
      if (source !== this.copied) {
        this.copied = source;
        this.copiedIndex = this.buffers.push(new Uint8Array(source).buffer) - 1;
        this.copiedBytes += source.length;
      }
      this.remember(source, this.copiedIndex, 0);
      this.scanner.scan(source, start, end, line, encoding, this.tape);
      return;
    }
    if (memory === this.candidate) {
      // A second line in the same memory: a chunk, so the one before is split to the end.
      if (this.chunk !== undefined) this.post();
      this.chunk = memory;
      this.chunkIndex = this.buffers.push(memory) - 1;
      this.remember(source, this.chunkIndex, source.byteOffset);
      this.scanner.scan(source, start, end, line, encoding, this.tape, source.byteOffset);
      return;
    }
    this.candidate = memory;
    this.tape.buffer = this.buffers.push(new Uint8Array(source.subarray(start, end)).buffer) - 1;
    this.copiedBytes += end - start;
    this.scanner.scan(source, start, end, line, encoding, this.tape, -start);
  }

  /** Makes the lines that come next in `source` go to memory `index` of the tape, at `shift`. */
  private remember(source: Buffer, index: number, shift: number): void {
    this.lastView = source;
    this.lastIndex = index;
    this.lastShift = shift;
    this.tape.buffer = index;
  }

  /**
   * Posts the tape when it has grown large. A chunk of very short lines would otherwise grow it,
   * and so would a file in which no chunk contains two whole lines (lines longer than a chunk,
   * lines the reader skips), until the end of the file. The chunk being split is copied then,
   * because the reader still reads it.
   */
  postIfLarge(): void {
    const entries = this.chunk === undefined ? TAPE_ENTRIES : 4 * TAPE_ENTRIES;
    if (this.tape.length >= entries || this.copiedBytes >= COPIED_BYTES_TO_POST) this.post(true);
  }

  /** Puts on the tape the reader's warnings in `items` that are not on it yet, in their order among the lines. */
  takeWarnings(items: readonly (never | ParsedWarning)[]): void {
    if (items !== this.items) {
      this.items = items as unknown[];
      this.warningsTaken = 0;
    }
    for (; this.warningsTaken < items.length; this.warningsTaken += 1) {
      const item = items[this.warningsTaken]!;
      this.tape.addWarning(item.warning.line, item.warning.message);
    }
  }

  /**
   * Posts the tape and its memory, first waiting for credit. With `copyChunk`, the chunk being
   * split is copied rather than handed over, and its next line starts it again in the next tape.
   */
  post(copyChunk = false): void {
    const tape = this.tape;
    const buffers = this.buffers;
    const chunk = this.chunk;
    if (copyChunk && chunk !== undefined) buffers[this.chunkIndex] = new Uint8Array(chunk).slice().buffer;
    this.tape = new LineTape(TAPE_ENTRIES);
    this.buffers = [];
    this.chunk = undefined;
    this.copied = undefined;
    this.lastView = undefined;
    this.copiedBytes = 0;
    if (copyChunk && chunk !== undefined) this.candidate = chunk;
    if (tape.length === 0) return;
    for (;;) {
      const available = Atomics.load(this.credits, 0);
      if (available > 0) break;
      Atomics.wait(this.credits, 0, available);
    }
    Atomics.sub(this.credits, 0, 1);
    // The tape's arrays are handed over whole, which costs less than copying their used part.
    const message: ScanMessage = { type: 'tape', buffers, ints: tape.ints, numbers: tape.numbers, length: tape.length, warnings: tape.warnings };
    parentPort?.postMessage(message, [...buffers, tape.ints.buffer, tape.numbers.buffer]);
  }
}

async function scanFile(request: ScanRequest): Promise<void> {
  const sink = new TapeSink(new Int32Array(request.credits));
  try {
    for await (const items of readLinesInto(request.path, request.maxLineBytes === undefined ? {} : { maxLineBytes: request.maxLineBytes }, sink)) {
      sink.takeWarnings(items);
      sink.postIfLarge();
    }
    sink.post();
    parentPort?.postMessage({ type: 'done' } satisfies ScanMessage);
  } catch (error) {
    // The lines read before the failure go first, as the one-thread reader yields them before it raises.
    sink.post();
    const failure: ScanMessage =
      error instanceof ImportError
        ? { type: 'failed', importError: true, file: error.file, ...(error.line === undefined ? {} : { line: error.line }), message: error.message }
        : { type: 'failed', importError: false, message: error instanceof Error ? error.message : String(error), ...errorCode(error) };
    parentPort?.postMessage(failure);
  }
}

/** Returns the `code` of a system error (ENOENT, EIO), which callers read to tell such errors apart. */
function errorCode(error: unknown): { code?: string } {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? { code } : {};
}

await scanFile(workerData as ScanRequest);
