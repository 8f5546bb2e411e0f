/**
 * The example data `onsky serve` imports into an empty store, so that a first look shows real
 * observations, targets, tickets and code history (examples/PROVENANCE.md gives each file's
 * source). Catalogues come first so observed targets get their tags, and the plan comes before
 * the git history so that commits naming a feature deliver it. The journal comes last because its
 * deployments and verifications cite the changes and observations of the other files.
 */
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ImportFormat } from '../importers/detect.js';
import type { EventStore } from '../store/port.js';
import { importFile, type ImportSummary } from './imports.js';

export const EXAMPLES_FOLDER = join(dirname(fileURLToPath(import.meta.url)), '..', 'examples');

/** Example files in import order, with their formats. */
export const EXAMPLE_FILES: ReadonlyArray<readonly [ImportFormat, string]> = [
  ['catalogue', 'catalogue-lband-bandpass-calibrators.csv'],
  ['catalogue', 'catalogue-lband-gain-calibrators.csv'],
  ['catalogue', 'catalogue-ar1-cals.csv'],
  ['plan', 'plan.yaml'],
  ['git', 'gitlog-katsdpcontroller.jsonl'],
  ['jira', 'jira-issue-DEMO-2719.json'],
  ['obslog', 'obslog-1551803062.log'],
  ['sdpmc', 'sdpmc-array_1_0-2019-03-08.log'],
  ['archive', 'archive-search-2019-03-08.tsv'],
  ['katdal', 'katdal-summary-1548417874.txt'],
  ['s3', 's3-listing-1551803062.txt'],
  ['syslog', 'syslog-fwr3-2019-03-03.log'],
  ['journal', 'journal.yaml'],
];

export interface ExampleLogger {
  info(fields: Record<string, unknown>, message: string): void;
}

/** Imports every example file into `store`; returns one summary per file. */
export async function importExamples(store: EventStore, logger?: ExampleLogger, folder = EXAMPLES_FOLDER): Promise<ImportSummary[]> {
  const summaries: ImportSummary[] = [];
  for (const [format, name] of EXAMPLE_FILES) {
    const path = join(folder, name);
    if (!existsSync(path)) throw new Error(`example file ${path} is missing; restore the examples folder from the repository`);
    const summary = await importFile({ store, format, path, fileLabel: `examples/${name}`, actor: 'examples' });
    logger?.info({ file: summary.file, format, read: summary.read, appended: summary.appended, warnings: summary.warnings.length }, 'imported example file');
    summaries.push(summary);
  }
  return summaries;
}
