/**
 * Prometheus text-format metrics: request counts and durations by operation, errors, events
 * appended and projection lag. Kept in memory; `/metrics` renders them.
 */

/** Upper bounds of the duration histogram, in seconds. */
const DURATION_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5] as const;

/** Distinct operation names kept as labels; later names count as `other`, so clients cannot grow the output without bound. */
const MAX_OPERATION_LABELS = 200;

interface Histogram {
  readonly counts: number[];
  sum: number;
  count: number;
}

export interface LogPositions {
  readonly storeHead: bigint | null;
  readonly projections: bigint | null;
}

export class Metrics {
  private readonly requests = new Map<string, number>();
  private readonly operations = new Map<string, number>();
  private readonly durations = new Map<string, Histogram>();
  private readonly errors = new Map<string, number>();
  private readonly operationNames = new Set<string>();
  /** Counter labels and histogram per operation name, kind and outcome. */
  private readonly operationCells = new Map<string, { readonly counterKey: string; readonly histogram: Histogram }>();
  private eventsAppended = 0;
  /** Rendered label sets, kept because every request needs one and building them escapes each value. */
  private readonly labelCache = new Map<string, string>();

  /** Counts one HTTP request by route and status code. */
  countRequest(route: string, status: number): void {
    const cacheKey = `request\u0000${route}\u0000${status}`;
    let rendered = this.labelCache.get(cacheKey);
    if (rendered === undefined) {
      rendered = labels({ route, status: String(status) });
      this.labelCache.set(cacheKey, rendered);
    }
    increment(this.requests, rendered);
  }

  /** Counts one GraphQL operation; `outcome` is `ok`, `error` or `cached`. */
  countOperation(operation: string, kind: string, outcome: 'ok' | 'error' | 'cached', seconds: number): void {
    // One lookup per call: cached responses are counted here too, at tens of thousands a second.
    const cellKey = `${operation}\u0000${kind}\u0000${outcome}`;
    let cell = this.operationCells.get(cellKey);
    if (cell === undefined) {
      const name = this.operationLabel(operation);
      const histogramKey = this.labelsOf(name, kind);
      let histogram = this.durations.get(histogramKey);
      if (histogram === undefined) {
        histogram = { counts: DURATION_BUCKETS.map(() => 0), sum: 0, count: 0 };
        this.durations.set(histogramKey, histogram);
      }
      cell = { counterKey: this.labelsOf(name, kind, outcome), histogram };
      // Names beyond the label limit share the `other` cell but are not kept as keys themselves.
      if (name === operation) this.operationCells.set(cellKey, cell);
    }
    increment(this.operations, cell.counterKey);
    const histogram = cell.histogram;
    for (let index = DURATION_BUCKETS.length - 1; index >= 0 && seconds <= DURATION_BUCKETS[index]!; index -= 1) histogram.counts[index]! += 1;
    histogram.sum += seconds;
    histogram.count += 1;
  }

  /** Counts one error by code, e.g. `INTERNAL_SERVER_ERROR`, `FORBIDDEN`, `UNAUTHENTICATED`. */
  countError(code: string): void {
    increment(this.errors, labels({ code }));
  }

  countEventsAppended(count: number): void {
    this.eventsAppended += count;
  }

  render(positions: LogPositions): string {
    const lines: string[] = [];
    family(lines, 'onsky_http_requests_total', 'counter', 'HTTP requests by route and status code.', this.requests);
    family(lines, 'onsky_graphql_operations_total', 'counter', 'GraphQL operations by name, kind and outcome (ok, error, cached).', this.operations);
    lines.push('# HELP onsky_graphql_operation_duration_seconds Time from request to response of GraphQL operations.');
    lines.push('# TYPE onsky_graphql_operation_duration_seconds histogram');
    for (const [key, histogram] of this.durations) {
      DURATION_BUCKETS.forEach((bound, index) => {
        lines.push(`onsky_graphql_operation_duration_seconds_bucket{${key},le="${bound}"} ${histogram.counts[index]}`);
      });
      lines.push(`onsky_graphql_operation_duration_seconds_bucket{${key},le="+Inf"} ${histogram.count}`);
      lines.push(`onsky_graphql_operation_duration_seconds_sum{${key}} ${histogram.sum}`);
      lines.push(`onsky_graphql_operation_duration_seconds_count{${key}} ${histogram.count}`);
    }
    family(lines, 'onsky_errors_total', 'counter', 'Errors returned to clients, by code.', this.errors);
    gauge(lines, 'onsky_events_appended_total', 'counter', 'Events appended through this server since it started.', this.eventsAppended);
    gauge(lines, 'onsky_store_head_position', 'gauge', 'Position of the last event in the log (-1 for an empty log).', positionNumber(positions.storeHead));
    gauge(lines, 'onsky_projection_position', 'gauge', 'Position of the last event the read models applied (-1 before the first).', positionNumber(positions.projections));
    const lag = positionNumber(positions.storeHead) - positionNumber(positions.projections);
    gauge(lines, 'onsky_projection_lag_positions', 'gauge', 'Log positions the read models are behind the log head; events for the SQLite store.', Math.max(0, lag));
    return `${lines.join('\n')}\n`;
  }

  private labelsOf(operation: string, kind: string, outcome?: string): string {
    const cacheKey = `${operation}\u0000${kind}\u0000${outcome ?? ''}`;
    let rendered = this.labelCache.get(cacheKey);
    if (rendered === undefined) {
      rendered = labels(outcome === undefined ? { operation, kind } : { operation, kind, outcome });
      this.labelCache.set(cacheKey, rendered);
    }
    return rendered;
  }

  private operationLabel(operation: string): string {
    if (this.operationNames.has(operation)) return operation;
    if (this.operationNames.size >= MAX_OPERATION_LABELS) return 'other';
    this.operationNames.add(operation);
    return operation;
  }
}

function positionNumber(position: bigint | null): number {
  return position === null ? -1 : Number(position);
}

function increment(map: Map<string, number>, key: string): void {
  map.set(key, (map.get(key) ?? 0) + 1);
}

/** Renders labels in the text format, escaping backslashes, quotes and newlines. */
function labels(values: Record<string, string>): string {
  return Object.entries(values)
    .map(([name, value]) => `${name}="${value.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n')}"`)
    .join(',');
}

function family(lines: string[], name: string, type: string, help: string, values: Map<string, number>): void {
  lines.push(`# HELP ${name} ${help}`, `# TYPE ${name} ${type}`);
  for (const [key, value] of values) lines.push(`${name}{${key}} ${value}`);
}

function gauge(lines: string[], name: string, type: string, help: string, value: number): void {
  lines.push(`# HELP ${name} ${help}`, `# TYPE ${name} ${type}`, `${name} ${value}`);
}
