/**
 * The backpressure signal: whether engineering delivers faster than commissioning verifies, with
 * the numbers behind it and a recommendation sentence. Red when WIP exceeds the limit; amber when
 * arrivals exceed departures or the expected wait exceeds the target wait; green otherwise.
 */
import type { FlowMetrics } from './flow.js';
import { orderVerificationQueue, type QueueItem } from './wsjf.js';

export const DEFAULT_TARGET_WAIT_WEEKS = 2;

export type BackpressureSignal = 'green' | 'amber' | 'red';

export interface BackpressureOptions {
  readonly targetWaitWeeks?: number;
  /** A WIP limit set for the subsystem; omitted, the limit is throughput × target wait. */
  readonly wipLimit?: number;
}

export interface BackpressureAssessment {
  readonly signal: BackpressureSignal;
  readonly wip: number;
  readonly wipLimit: number;
  readonly wipLimitIsDefault: boolean;
  readonly targetWaitWeeks: number;
  /** One sentence per rule that raised the signal above green; empty when green. */
  readonly reasons: readonly string[];
}

/**
 * Computes the default WIP limit, throughput per week × target wait in weeks, rounded down.
 * Rounding changes no signal, because WIP is a whole number: WIP above the product is WIP above
 * its floor. A team that verifies at all may have one feature waiting, so the limit is then at
 * least 1, because "pause until WIP ≤ 0" would ask it to stop delivering for good. Without any
 * verification the limit is 0, and the recommendation is to verify first.
 */
export function defaultWipLimit(throughputPerWeek: number, targetWaitWeeks: number): number {
  const limit = Math.floor(throughputPerWeek * targetWaitWeeks);
  return throughputPerWeek > 0 ? Math.max(1, limit) : limit;
}

export function assessBackpressure(flow: FlowMetrics, options: BackpressureOptions = {}): BackpressureAssessment {
  const targetWaitWeeks = options.targetWaitWeeks ?? DEFAULT_TARGET_WAIT_WEEKS;
  const wipLimit = options.wipLimit ?? defaultWipLimit(flow.throughputPerWeek, targetWaitWeeks);
  const reasons: string[] = [];

  const overLimit = flow.wip > wipLimit;
  if (overLimit) {
    reasons.push(`WIP ${flow.wip} exceeds the limit of ${wipLimit}`);
  }
  if (flow.arrivals > flow.departures) {
    reasons.push(`${countOf(flow.arrivals, 'feature')} ${flow.arrivals === 1 ? 'was' : 'were'} delivered but ${flow.departures} verified in the last ${flow.windowDays} days`);
  }
  const wait = flow.expectedWaitWeeks;
  if (wait === null) {
    reasons.push(`nothing was verified in the last ${flow.windowDays} days, so the expected wait is unbounded`);
  } else if (wait > targetWaitWeeks) {
    reasons.push(`the expected wait of ${formatNumber(wait)} weeks exceeds the target of ${formatNumber(targetWaitWeeks)} weeks`);
  }

  let signal: BackpressureSignal = 'green';
  if (overLimit) {
    signal = 'red';
  } else if (reasons.length > 0) {
    signal = 'amber';
  }
  return { signal, wip: flow.wip, wipLimit, wipLimitIsDefault: options.wipLimit === undefined, targetWaitWeeks, reasons };
}

export interface QueueEntry extends QueueItem {
  readonly title?: string;
}

export interface RecommendationInput {
  /** Subsystem the figures cover, e.g. `SDP`; omitted for the whole array. */
  readonly subsystem?: string;
  readonly assessment: BackpressureAssessment;
  readonly flow: FlowMetrics;
  /** Features waiting for verification; ordered here by verification WSJF. */
  readonly queue: readonly QueueEntry[];
  /** How many features to name; default 3. */
  readonly count?: number;
}

/**
 * Builds the recommendation sentence, e.g. "Pause deliveries to SDP until WIP ≤ 6 (now 9);
 * verify these three first (by WSJF): SDP-12 (4.3), SDP-7 (3), SDP-3 (2.5)."
 */
export function recommendBackpressureAction(input: RecommendationInput): string {
  const { assessment, flow } = input;
  const to = input.subsystem === undefined ? '' : ` to ${input.subsystem}`;
  const scope = input.subsystem ?? 'The array';
  const next = verifyFirst(input.queue, input.count ?? 3);

  switch (assessment.signal) {
    case 'red':
      // With nothing verified, the default limit (throughput × target wait) is 0, so "until WIP ≤ 0"
      // would ask for an empty queue. The sentence names the cause instead.
      if (assessment.wipLimitIsDefault && flow.departures === 0) {
        return `Nothing was verified in the last ${flow.windowDays} days: verify before delivering more${to} (WIP ${assessment.wip})${next}.`;
      }
      return `Pause deliveries${to} until WIP ≤ ${assessment.wipLimit} (now ${assessment.wip})${next}.`;
    case 'amber':
      return `Slow deliveries${to}: ${assessment.reasons.join('; ')}${next}.`;
    case 'green':
      return (
        `${scope} is within limits: WIP ${assessment.wip} ≤ ${assessment.wipLimit}, ` +
        `${flow.arrivals} delivered and ${flow.departures} verified in the last ${flow.windowDays} days; no backpressure needed.`
      );
  }
}

function verifyFirst(queue: readonly QueueEntry[], count: number): string {
  const first = orderVerificationQueue(queue).slice(0, count);
  if (first.length === 0) {
    return '';
  }
  // Two decimals, as every page shows a WSJF, so the sentence and the tables read the same.
  const listed = first.map((item) => `${item.featureKey} (${String(Math.round(item.verificationWsjf * 100) / 100)})`).join(', ');
  const these = first.length === 1 ? 'this one' : `these ${numberWord(first.length)}`;
  return `; verify ${these} first (by WSJF): ${listed}`;
}

/** Returns "1 feature" or "2 features". */
function countOf(count: number, noun: string): string {
  return `${count} ${noun}${count === 1 ? '' : 's'}`;
}

const NUMBER_WORDS = ['zero', 'one', 'two', 'three', 'four', 'five', 'six', 'seven', 'eight', 'nine', 'ten'];

function numberWord(value: number): string {
  return NUMBER_WORDS[value] ?? String(value);
}

/** At most one decimal, without a trailing `.0`: 4.33 → "4.3", 3 → "3". */
function formatNumber(value: number): string {
  return String(Math.round(value * 10) / 10);
}
