/** Helpers shared by the benchmarks: timing, scratch folders and the closing JSON line. */
import { mkdtempSync, rmSync } from 'node:fs';
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
