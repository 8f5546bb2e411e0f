/** Helpers shared by the benchmarks: timing, scratch folders and the closing JSON line. */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';

export function scratchFolder(prefix: string): { path: string; remove: () => void } {
  const path = mkdtempSync(join(tmpdir(), `onsky-bench-${prefix}-`));
  return { path, remove: () => rmSync(path, { recursive: true, force: true }) };
}

/** Median of the values; the benchmarks take the median of several repetitions. */
export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

export function round(value: number, digits = 3): number {
  const scale = 10 ** digits;
  return Math.round(value * scale) / scale;
}

/** Describes this machine for the benchmark record. */
export function machine(): { cpu: string; cores: number; node: string } {
  return { cpu: cpus()[0]?.model ?? 'unknown', cores: cpus().length, node: process.version };
}

/** Prints the line a benchmark must end with. */
export function printResult(result: { bench: string; ratio: number; target: number } & Record<string, unknown>): void {
  process.stdout.write(`${JSON.stringify({ ...result, machine: machine() })}\n`);
}

/** Reads `--name value` from the benchmark's arguments. */
export function numberArgument(args: readonly string[], name: string, fallback: number): number {
  const index = args.indexOf(`--${name}`);
  if (index < 0) return fallback;
  const value = Number(args[index + 1]);
  if (!Number.isFinite(value) || value <= 0) {
    throw new Error(`--${name} takes a positive number, got ${JSON.stringify(args[index + 1])}`);
  }
  return value;
}

/** Starts a baseline server that reads each request body, then sends the prepared bytes. */
export function startRawServer(payload: Buffer): Promise<Server> {
  const server = createServer((request, response) => {
    request.resume();
    request.on('end', () => {
      response.writeHead(200, { 'content-type': 'application/graphql-response+json; charset=utf-8', 'content-length': payload.length }).end(payload);
    });
  });
  return new Promise((done) => server.listen(0, '127.0.0.1', () => done(server)));
}

/**
 * Runs `script` (a benchmark module's own path) in a fresh Node.js process with `plan` as JSON in
 * the environment variable `variable`, and returns the JSON of the last line it prints. Load
 * generators run this way so that they do not share the measured server's event loop.
 */
export function runWorkerProcess<R>(script: string, variable: string, plan: object, label: string): Promise<R> {
  const child = spawn(process.execPath, ['--import', 'tsx', script], {
    env: { ...process.env, [variable]: JSON.stringify(plan) },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let output = '';
  child.stdout.setEncoding('utf8');
  child.stdout.on('data', (chunk: string) => {
    output += chunk;
  });
  return new Promise((done, fail) => {
    child.once('exit', (code) => {
      if (code !== 0) {
        fail(new Error(`${label} exited with code ${code}`));
        return;
      }
      done(JSON.parse(output.trim().split('\n').at(-1)!) as R);
    });
  });
}
