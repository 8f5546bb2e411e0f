/**
 * A small HTTP/1.1 load generator for the benchmarks: keep-alive connections over `net` that send
 * one prepared request and read responses by their Content-Length. With Node's `http` client as
 * the load generator, a raw node:http server peaked at about 10k req/s on this 2-core machine,
 * with a p99 at half load of 40-115 ms. Both were the client's own cost: with this generator the
 * same server reaches about 40k req/s.
 * Chunked responses are not supported; the servers measured here send Content-Length.
 */
import { connect, type Socket } from 'node:net';

export interface LoadPhase {
  readonly url: string;
  readonly body: string;
  readonly headers: Readonly<Record<string, string>>;
  /** `max`: closed loop with `connections` requests in flight; `rate`: open loop at `rate` req/s. */
  readonly mode: 'max' | 'rate';
  readonly connections: number;
  readonly rate: number;
  /** Measured seconds, after the warm-up. */
  readonly seconds: number;
  /** Unmeasured seconds of load first, for the JIT and the connection set-up. */
  readonly warmupSeconds: number;
}

export interface LoadOutcome {
  readonly completed: number;
  readonly failed: number;
  readonly seconds: number;
  readonly perSecond: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
}

const HEADER_END = Buffer.from('\r\n\r\n');

/** One keep-alive connection with at most one request in flight. */
class Connection {
  private buffered: Buffer = Buffer.alloc(0);
  private scheduledMs = 0;
  busy = false;

  constructor(
    private readonly socket: Socket,
    private readonly request: Buffer,
    private readonly onDone: (connection: Connection, scheduledMs: number, status: number) => void,
    private readonly onError: (connection: Connection) => void,
  ) {
    socket.setNoDelay(true);
    socket.on('data', (chunk: Buffer) => this.read(chunk));
    socket.on('error', () => this.onError(this));
  }

  send(scheduledMs: number): void {
    this.busy = true;
    this.scheduledMs = scheduledMs;
    this.socket.write(this.request);
  }

  close(): void {
    this.socket.destroy();
  }

  private read(chunk: Buffer): void {
    this.buffered = this.buffered.length === 0 ? chunk : Buffer.concat([this.buffered, chunk]);
    const headerEnd = this.buffered.indexOf(HEADER_END);
    if (headerEnd < 0) return;
    const head = this.buffered.toString('latin1', 0, headerEnd);
    const length = Number(/\r\ncontent-length:\s*(\d+)/i.exec(head)?.[1] ?? Number.NaN);
    if (!Number.isFinite(length)) {
      this.onError(this);
      return;
    }
    const total = headerEnd + HEADER_END.length + length;
    if (this.buffered.length < total) return;
    this.buffered = this.buffered.subarray(total);
    this.busy = false;
    this.onDone(this, this.scheduledMs, Number(head.slice(9, 12)));
  }
}

/** Runs one phase and returns throughput and latency (from each request's scheduled start). */
export async function runLoadPhase(phase: LoadPhase): Promise<LoadOutcome> {
  const url = new URL(phase.url);
  const headerLines = Object.entries({ ...phase.headers, host: url.host, 'content-length': String(Buffer.byteLength(phase.body)) })
    .map(([name, value]) => `${name}: ${value}\r\n`)
    .join('');
  const request = Buffer.from(`POST ${url.pathname} HTTP/1.1\r\n${headerLines}\r\n${phase.body}`);

  const latencies: number[] = [];
  const waiting: number[] = [];
  let failed = 0;
  const started = performance.now();
  const measureFrom = started + phase.warmupSeconds * 1000;
  const endMs = measureFrom + phase.seconds * 1000;
  let stopping = false;

  const done = (connection: Connection, scheduledMs: number, status: number): void => {
    const now = performance.now();
    // A closed loop counts what completed in the window. An open loop counts every request
    // scheduled in it, however late it completes, so slow responses at the end are not left out.
    const measured = scheduledMs >= measureFrom && (phase.mode === 'max' ? now <= endMs : scheduledMs < endMs);
    if (status !== 200) failed += 1;
    else if (measured) latencies.push(now - scheduledMs);
    if (stopping) return;
    if (phase.mode === 'max') connection.send(performance.now());
    else if (waiting.length > 0) connection.send(waiting.shift()!);
  };
  const broken = (connection: Connection): void => {
    failed += 1;
    connection.busy = false;
  };

  const connections = await Promise.all(
    Array.from(
      { length: phase.connections },
      () =>
        new Promise<Connection>((resolve, reject) => {
          const socket = connect({ host: url.hostname, port: Number(url.port) }, () => resolve(new Connection(socket, request, done, broken)));
          socket.once('error', reject);
        }),
    ),
  );

  if (phase.mode === 'max') {
    for (const connection of connections) connection.send(performance.now());
    await new Promise((resolve) => setTimeout(resolve, endMs - performance.now()));
  } else {
    // Open loop: requests start on schedule whether or not earlier ones finished, so a stall
    // shows in the latencies. A request with no idle connection waits in order.
    let scheduled = 0;
    while (performance.now() < endMs) {
      const due = Math.floor(((performance.now() - started) / 1000) * phase.rate);
      while (scheduled < due) {
        const scheduledMs = started + (scheduled / phase.rate) * 1000;
        scheduled += 1;
        const idle = connections.find((connection) => !connection.busy);
        if (idle === undefined) waiting.push(scheduledMs);
        else idle.send(scheduledMs);
      }
      await new Promise((resolve) => setTimeout(resolve, 1));
    }
    const drainUntil = performance.now() + 10_000;
    while ((waiting.length > 0 || connections.some((connection) => connection.busy)) && performance.now() < drainUntil) {
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
  }
  stopping = true;
  for (const connection of connections) connection.close();

  latencies.sort((a, b) => a - b);
  const percentile = (p: number): number => latencies[Math.min(latencies.length - 1, Math.floor(p * latencies.length))] ?? Number.NaN;
  return { completed: latencies.length, failed, seconds: phase.seconds, perSecond: latencies.length / phase.seconds, p50Ms: percentile(0.5), p99Ms: percentile(0.99) };
}
