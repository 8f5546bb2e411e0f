/**
 * `onsky report wsjf|backpressure|unverified|coverage`: the same numbers as the UI, for a weekly
 * review, in Markdown, HTML, CSV or JSON.
 */
import { buildReport, renderReport, REPORT_FORMATS, REPORT_KINDS, type ReportFormat, type ReportKind } from '../api/reports.js';
import { asOfInstant, instantOf } from '../api/schema/common.js';
import { startProjections } from '../projections/index.js';
import { parse } from './log.js';
import { dataFolder, openStore, requireExistingStore, storeLocation, UsageError } from './options.js';

const USAGE = `report <${REPORT_KINDS.join('|')}> [--format ${REPORT_FORMATS.join('|')}] [--as-of TIME] [--now TIME] [--subsystem S] [--data DIR] [--store URL]`;

export async function runReport(argv: string[]): Promise<void> {
  const { values, positionals } = parse(argv, { format: { type: 'string' }, 'as-of': { type: 'string' }, now: { type: 'string' }, subsystem: { type: 'string' } }, USAGE);
  const [kind] = positionals;
  if (kind === undefined || !(REPORT_KINDS as readonly string[]).includes(kind)) {
    throw new UsageError(`${kind === undefined ? 'name a report' : `unknown report "${kind}"`}; usage: onsky ${USAGE}`);
  }
  const format = values.format ?? 'md';
  if (!(REPORT_FORMATS as readonly string[]).includes(format)) throw new UsageError(`unknown format "${format}"; use one of ${REPORT_FORMATS.join(', ')}`);
  const asOf = values['as-of'] === undefined ? undefined : isoTime(values['as-of'], '--as-of');
  // --as-of keeps what was recorded by then. --now keeps what had happened by then by the events'
  // own dates, and measures the backpressure window, ages and days waiting at it, so history
  // imported later can be reviewed for a past period. Without --now the clock is the as-of time,
  // or the machine's.
  const now = values.now === undefined ? (asOf ?? new Date().toISOString()) : isoTime(values.now, '--now');

  const store = openStore(requireExistingStore(storeLocation(values.store, dataFolder(values.data))));
  // NOTE: a report folds the whole log, about ten seconds per million events. It does not read
  // the server's snapshot, because a running server may be rewriting it.
  const projections = startProjections(store);
  try {
    await projections.ready;
    const models = await projections.view({ recordedUntil: asOf, occurredUntil: values.now === undefined ? undefined : now });
    // Checked against the features recorded by now, so a report as of a time before a subsystem's
    // first feature is empty rather than refused.
    if (values.subsystem !== undefined) checkSubsystem(values.subsystem, projections.query.featureBoard(new Date().toISOString()).map((entry) => entry.subsystem));
    const report = buildReport(kind as ReportKind, models, {
      now,
      ...(values.subsystem === undefined ? {} : { subsystem: values.subsystem }),
      ...(values.now === undefined ? {} : { records: { until: asOf ?? null } }),
    });
    process.stdout.write(renderReport(report, format as ReportFormat));
  } finally {
    await projections.close();
    await store.close();
  }
}

/**
 * Rejects a subsystem no feature names, since the report would be empty without saying why. The
 * match is exact, as the read models filter, so "cbf" gets a hint to write "CBF".
 */
function checkSubsystem(subsystem: string, known: readonly string[]): void {
  const names = [...new Set(known)].sort();
  if (names.includes(subsystem)) return;
  const sameLetters = names.find((name) => name.toLowerCase() === subsystem.toLowerCase());
  const hint = sameLetters === undefined ? `use one of ${names.join(', ') || '(none: no feature is recorded yet)'}` : `write it as ${sameLetters}`;
  throw new UsageError(`no feature has subsystem "${subsystem}"; ${hint}`);
}

/** Reads a time such as 2019-03-08 or 2019-03-08T12:00:00Z as an ISO 8601 UTC instant. */
/** Reads a date (the end of that day in UTC) or a time with a zone, checked as the API's `asOf` and `now` are. */
function isoTime(text: string, option: string): string {
  const checked = asOfInstant.safeParse(text);
  if (!checked.success) {
    const problem = checked.error.issues[0]?.message ?? 'invalid';
    throw new UsageError(`${option} ${JSON.stringify(text)} is not a date (2019-03-08) or a time with a zone (2019-03-08T12:00:00Z): ${problem}`);
  }
  return instantOf(text);
}
