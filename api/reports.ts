/**
 * Reports for a weekly review: the same numbers as the UI, as a management summary (the signal
 * and the numbers behind it first, then the ranked list) in Markdown, HTML, CSV or JSON.
 */
import type { HoursByReviewState, LedgerGroup, ReadModels, UnverifiedDataLedger } from '../projections/index.js';

export const REPORT_KINDS = ['wsjf', 'backpressure', 'unverified', 'coverage'] as const;
export type ReportKind = (typeof REPORT_KINDS)[number];

export const REPORT_FORMATS = ['md', 'csv', 'json', 'html'] as const;
export type ReportFormat = (typeof REPORT_FORMATS)[number];

export interface ReportTable {
  readonly caption: string;
  readonly columns: readonly string[];
  readonly rows: ReadonlyArray<ReadonlyArray<string | number | null>>;
}

/** A report before rendering: a title, summary sentences, tables, and the read model's own data. */
export interface Report {
  readonly kind: ReportKind;
  readonly title: string;
  /** The instant the report describes (ISO 8601 UTC): now, or the as-of time. */
  readonly asOf: string;
  /** Present when that instant is a clock set apart from the records; see `ReportOptions.records`. */
  readonly measuredApart?: { readonly until: string | null };
  readonly summary: readonly string[];
  readonly tables: readonly ReportTable[];
  readonly data: unknown;
}

export interface ReportOptions {
  readonly now: string;
  readonly subsystem?: string;
  /**
   * Set when the clock was moved apart from the records (`report --now`): the record-time cut of
   * the read models (`--as-of`), or `null` when every record counts. The report's text states it.
   */
  readonly records?: { readonly until: string | null };
}

export function buildReport(kind: ReportKind, models: ReadModels, options: ReportOptions): Report {
  const report = reportOf(kind, models, options);
  return options.records === undefined ? report : { ...report, measuredApart: options.records };
}

/** Returns the sentence naming the instant a report describes, for the Markdown and HTML forms. */
function timeSentence(report: Report): string {
  if (report.measuredApart === undefined) return `As of ${report.asOf}.`;
  const until = report.measuredApart.until;
  return `As it happened by ${report.asOf}, from ${until === null ? 'every record' : `the records made by ${until}`}.`;
}

function reportOf(kind: ReportKind, models: ReadModels, options: ReportOptions): Report {
  switch (kind) {
    case 'wsjf':
      return wsjfReport(models, options);
    case 'backpressure':
      return backpressureReport(models, options);
    case 'unverified':
      return unverifiedReport(models, options);
    case 'coverage':
      return coverageReport(models, options);
  }
}

function wsjfReport(models: ReadModels, { now, subsystem }: ReportOptions): Report {
  const queue = models.verificationQueue(now, subsystem === undefined ? {} : { subsystem });
  const waiting = queue.reduce((sum, entry) => sum + entry.daysWaiting, 0);
  return {
    kind: 'wsjf',
    title: `Verification queue by WSJF${subsystem === undefined ? '' : ` for ${subsystem}`}`,
    asOf: now,
    summary: [
      `${count(queue.length, 'feature')} ${queue.length === 1 ? 'waits' : 'wait'} for verification on the sky, ${queue.filter((entry) => entry.status === 'suspect').length} of them suspect again after a change.`,
      waitSentence(queue.map((entry) => entry.daysWaiting), waiting),
      candidatesSentence(queue.filter((entry) => entry.candidates.length > 0).length),
    ],
    tables: [
      {
        caption: 'Ranked by verification WSJF (ties: longest waiting first)',
        columns: ['rank', 'feature', 'title', 'subsystem', 'status', 'verification WSJF', 'days waiting', 'candidate observations'],
        rows: queue.map((entry, index) => [
          index + 1,
          entry.featureKey,
          entry.title,
          entry.subsystem,
          entry.status,
          round(entry.verificationWsjf, 2),
          round(entry.daysWaiting, 1),
          entry.candidates.map((candidate) => candidate.observationId).join(' ') + (entry.moreCandidates ? ' …' : ''),
        ]),
      },
    ],
    data: queue,
  };
}

function backpressureReport(models: ReadModels, { now, subsystem }: ReportOptions): Report {
  const flow = models.flowReport({ now });
  const reports = subsystem === undefined ? [flow.overall, ...flow.subsystems] : flow.subsystems.filter((report) => report.subsystem === subsystem);
  const headline = subsystem === undefined ? flow.overall : reports[0];
  return {
    kind: 'backpressure',
    title: `Backpressure${subsystem === undefined ? '' : ` for ${subsystem}`}`,
    asOf: now,
    summary:
      headline === undefined
        ? [`No feature of subsystem ${subsystem} has been delivered, so there is no flow to assess.`]
        : [
            `Signal: ${headline.assessment.signal.toUpperCase()}. ${headline.recommendation}`,
            ...headline.assessment.reasons,
            `Over the ${count(headline.flow.windowDays, 'day')} to ${headline.flow.windowEndUtc.slice(0, 10)}: ${headline.flow.arrivals} delivered, ${headline.flow.departures} verified, ` +
              `throughput ${round(headline.flow.throughputPerWeek, 2)} per week, WIP ${headline.flow.wip} against a limit of ${headline.assessment.wipLimit}, ` +
              `expected wait ${headline.flow.expectedWaitWeeks === null ? 'unbounded (nothing verified)' : count(round(headline.flow.expectedWaitWeeks, 1), 'week')}.`,
          ],
    tables: [
      {
        caption: 'Flow per subsystem',
        columns: ['subsystem', 'signal', 'arrivals', 'departures', 'throughput / week', 'WIP', 'WIP limit', 'expected wait (weeks)', 'net flow', 'oldest item (days)', 'recommendation'],
        rows: reports.map((report) => [
          report.subsystem ?? 'all',
          report.assessment.signal,
          report.flow.arrivals,
          report.flow.departures,
          round(report.flow.throughputPerWeek, 2),
          report.flow.wip,
          report.assessment.wipLimit,
          report.flow.expectedWaitWeeks === null ? null : round(report.flow.expectedWaitWeeks, 1),
          report.flow.netFlow,
          report.flow.oldestItemAgeDays === null ? null : round(report.flow.oldestItemAgeDays, 1),
          report.recommendation,
        ]),
      },
    ],
    data: flow,
  };
}

function unverifiedReport(models: ReadModels, { now }: ReportOptions): Report {
  const ledger = models.unverifiedData({ now });
  const share = ledger.hours === 0 ? 0 : (100 * ledger.hoursNotLookedAtInDetail) / ledger.hours;
  const groups = (caption: string, list: typeof ledger.byMonth): ReportTable => ({
    caption,
    columns: ['group', 'observations', 'hours', 'hours not looked at in detail'],
    rows: list.map((group) => [group.key, group.observations, round(group.hours, 2), round(group.hoursNotLookedAtInDetail, 2)]),
  });
  return {
    kind: 'unverified',
    title: 'Unverified observing hours',
    asOf: now,
    summary: [
      `${hoursFigure(ledger.hoursNotLookedAtInDetail)} of ${count(hoursFigure(ledger.hours), 'observed hour')} (${round(share, 0)} %) ${hoursFigure(ledger.hoursNotLookedAtInDetail) === 1 ? 'has' : 'have'} not been looked at in detail (inspected or imaged).`,
      ...(ledger.observationsWithoutTimes === 0
        ? []
        : [
            `${ledger.observationsWithoutTimes} of ${count(ledger.observations, 'observation')} ${ledger.observationsWithoutTimes === 1 ? 'has' : 'have'} no known start and end, so ${ledger.observationsWithoutTimes === 1 ? 'it counts' : 'they count'} as 0 hours here; ` +
              'import their observation logs or katdal summaries to add them.',
          ]),
      ledger.observations === 0
        ? 'No observation was recorded by then.'
        : ledger.oldestUnreviewed === null
          ? 'Every observation has had at least one review.'
          : `The oldest unreviewed observation is ${ledger.oldestUnreviewed.observationId}, ${count(round(ledger.oldestUnreviewed.ageDays, 0), 'day')} old.`,
      `QA coverage of qualifying observations: continuum ${percent(ledger.qaCoverage.continuum.coverage)}, spectral line ${percent(ledger.qaCoverage.spectralLine.coverage)}.`,
      ledger.archiveLatency.medianMultiple === null
        ? 'No archived product has a known archive time yet.'
        : `Archived products arrive after a median of ${round(ledger.archiveLatency.medianMultiple, 2)} times the observation's duration.`,
    ],
    tables: [groups('By month', ledger.byMonth), groups('By proposal', ledger.byProposal), groups('By band', ledger.byBand), groups('By product', ledger.byProduct)],
    data: ledgerAsApi(ledger),
  };
}

/** Hours by review state with the API's field names (`neverReviewed`, not `never-reviewed`). */
function hoursAsApi(hours: HoursByReviewState): Record<string, number> {
  return { neverReviewed: hours['never-reviewed'], automatedQa: hours['automated-qa'], inspected: hours.inspected, imaged: hours.imaged, discarded: hours.discarded };
}

/** Returns the ledger with its hours by review state named as the API names them, so JSON readers of both agree. */
function ledgerAsApi(ledger: UnverifiedDataLedger): unknown {
  const groups = (list: readonly LedgerGroup[]) => list.map((group) => ({ ...group, hoursByReviewState: hoursAsApi(group.hoursByReviewState) }));
  return {
    ...ledger,
    hoursByReviewState: hoursAsApi(ledger.hoursByReviewState),
    byMonth: groups(ledger.byMonth),
    byProposal: groups(ledger.byProposal),
    byBand: groups(ledger.byBand),
    byProduct: groups(ledger.byProduct),
  };
}

function coverageReport(models: ReadModels, { now }: ReportOptions): Report {
  const traces = models.traceability();
  const withCoverage = (coverage: string): number => traces.filter((trace) => trace.coverage === coverage).length;
  return {
    kind: 'coverage',
    title: 'Requirement coverage',
    asOf: now,
    summary: [
      `${count(traces.length, 'requirement')}: ${withCoverage('fully-verified')} fully verified, ${withCoverage('partially-verified')} partially verified, ` +
        `${withCoverage('not-verified')} not verified, ${withCoverage('has-failures')} with failures, ${withCoverage('not-covered')} not covered by any feature.`,
    ],
    tables: [
      {
        caption: 'Requirements',
        columns: ['requirement', 'coverage', 'features', 'verified features', 'feature keys'],
        rows: traces.map((trace) => [trace.requirementRef, trace.coverage, trace.featureCount, trace.verifiedFeatureCount, trace.features.map((feature) => feature.featureKey).join(' ')]),
      },
    ],
    data: traces,
  };
}

export function renderReport(report: Report, format: ReportFormat): string {
  switch (format) {
    case 'json': {
      // `recordedUntil`: records made after it do not count (null: every record counts).
      // `happenedBy`: events that happened after it by their own dates do not count (null: all count).
      const measured = report.measuredApart;
      const cuts = measured === undefined ? { recordedUntil: report.asOf, happenedBy: null } : { recordedUntil: measured.until, happenedBy: report.asOf };
      return `${JSON.stringify({ kind: report.kind, title: report.title, asOf: report.asOf, ...cuts, summary: report.summary, data: report.data }, null, 2)}\n`;
    }
    case 'csv':
      return renderCsv(report);
    case 'md':
      return renderMarkdown(report);
    case 'html':
      return renderHtml(report);
  }
}

/**
 * Writes each table with its header row, a blank line between tables. A report of several tables
 * (the unverified hours by month, proposal, band and product) names each row's table in a first
 * column, so that the rows still show what they count once pasted into a spreadsheet.
 */
function renderCsv(report: Report): string {
  const labelled = report.tables.length > 1;
  const line = (row: ReadonlyArray<string | number | null>): string => row.map((cell) => csvCell(typeof cell === 'string' ? visibleControls(cell) : cell)).join(',');
  const tables = report.tables.map((table) => {
    const header = labelled ? ['table', ...table.columns] : table.columns;
    const rows = table.rows.map((row) => (labelled ? [table.caption, ...row] : row));
    return [header, ...rows].map(line).join('\n');
  });
  return `${tables.join('\n\n')}\n`;
}

function renderMarkdown(report: Report): string {
  const lines = [`# ${markdownText(report.title)}`, '', timeSentence(report), '', ...report.summary.map((sentence) => `- ${markdownText(sentence)}`)];
  for (const table of report.tables) {
    lines.push('', `## ${table.caption}`, '');
    if (table.rows.length === 0) {
      lines.push('Nothing to list.');
      continue;
    }
    lines.push(`| ${table.columns.join(' | ')} |`, `| ${table.columns.map(() => '---').join(' | ')} |`);
    for (const row of table.rows) lines.push(`| ${row.map((cell) => markdownCell(String(cell ?? '—'))).join(' | ')} |`);
  }
  return `${lines.join('\n')}\n`;
}

function renderHtml(report: Report): string {
  const tables = report.tables
    .map((table) => {
      if (table.rows.length === 0) return `<h2>${escapeHtml(table.caption)}</h2><p>Nothing to list.</p>`;
      const head = table.columns.map((column) => `<th scope="col">${escapeHtml(column)}</th>`).join('');
      const body = table.rows.map((row) => `<tr>${row.map((cell) => `<td>${escapeHtml(String(cell ?? '—'))}</td>`).join('')}</tr>`).join('\n');
      return `<h2>${escapeHtml(table.caption)}</h2>\n<table>\n<thead><tr>${head}</tr></thead>\n<tbody>\n${body}\n</tbody>\n</table>`;
    })
    .join('\n');
  return `<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><title>${escapeHtml(report.title)}</title>
<style>body{font-family:system-ui,sans-serif;max-width:72rem;margin:2rem auto;color:#1b1f24}table{border-collapse:collapse;width:100%}th,td{border:1px solid #c8ccd1;padding:.3rem .5rem;text-align:left}th{background:#eef1f4}</style>
</head>
<body>
<h1>${escapeHtml(report.title)}</h1>
<p>${escapeHtml(timeSentence(report))}</p>
<ul>
${report.summary.map((sentence) => `<li>${escapeHtml(sentence)}</li>`).join('\n')}
</ul>
${tables}
</body>
</html>
`;
}

/** Escapes text for HTML, with control characters and direction overrides shown as \u{…}. */
export function escapeHtml(text: string): string {
  return visibleControls(text).replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;');
}

/**
 * Formats a CSV cell. Text that starts like a formula (=, +, -, @, tab, carriage return) gets a
 * leading apostrophe, so that a spreadsheet shows it instead of running it; numbers stay numbers.
 */
function csvCell(cell: string | number | null): string {
  let text = cell === null ? '' : String(cell);
  if (typeof cell === 'string' && /^[=+\-@\t\r]/.test(text)) text = `'${text}`;
  return /[",\n\r]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/**
 * Control characters (an ANSI escape, a NUL) and direction overrides made visible as \u{…}, so
 * that recorded text cannot restyle or reorder a terminal or a Markdown viewer.
 */
const CONTROLS = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/g;

function visibleControls(text: string): string {
  return text.replace(CONTROLS, (character) => `\\u{${character.codePointAt(0)!.toString(16)}}`);
}

/**
 * Formats text for one Markdown line: controls visible, line breaks as spaces (a recorded name
 * cannot start a heading of its own), and < and > as entities, so that a viewer renders no HTML.
 */
function markdownText(text: string): string {
  return visibleControls(text).replace(/\r\n|[\n\r\t]/g, ' ').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** Formats a Markdown table cell: one line, as `markdownText`, with pipes escaped. */
function markdownCell(text: string): string {
  return markdownText(text).replace(/\|/g, '\\|');
}

/** Returns the count with its noun, singular only for exactly 1: "1 feature", "0 features", "1.5 days". */
function count(value: number, noun: string): string {
  return `${value} ${noun}${value === 1 ? '' : 's'}`;
}

function waitSentence(daysWaiting: readonly number[], totalDays: number): string {
  if (daysWaiting.length === 0) return 'Nothing waits.';
  const total = count(round(totalDays, 1), 'day');
  if (daysWaiting.length === 1) return `It has waited ${total}.`;
  return `Together they have waited ${total}; the longest wait is ${count(round(Math.max(...daysWaiting), 1), 'day')}.`;
}

function candidatesSentence(withCandidates: number): string {
  return withCandidates === 1
    ? '1 of them already has archived observations that meet its evidence criteria.'
    : `${withCandidates} of them already have archived observations that meet their evidence criteria.`;
}

function round(value: number, digits: number): number {
  const scale = 10 ** digits;
  return Math.round(value * scale) / scale;
}

function percent(value: number | null): string {
  return value === null ? 'nothing qualifies yet' : `${round(value * 100, 0)} %`;
}

/** Rounds hours for a sentence: to 0.01 below one hour, so a few minutes do not read as 0, else to 0.1. */
function hoursFigure(hours: number): number {
  return round(hours, hours < 1 ? 2 : 1);
}
