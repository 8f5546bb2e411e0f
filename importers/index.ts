/**
 * The importers' public surface: one streaming parser per source format, the shared line reader,
 * deterministic ids, format detection, `parseSource` to run a parser chosen by format name, and
 * the per-format mappings from parsed records to domain commands (`map*`).
 */
import { stat } from 'node:fs/promises';
import { parseArchive, parseArchiveBatches } from './archive.js';
import { parseCatalogue } from './catalogue.js';
import type { ImportFormat } from './detect.js';
import { parseGitJsonl, parseGitRepository } from './git.js';
import { parseJira } from './jira.js';
import { parseKatdalSummary } from './katdal.js';
import { parseObslog, parseObslogBatches } from './obslog.js';
import { parsePlan } from './plan.js';
import { parseJournal } from './journal.js';
import { parseS3Listing } from './s3.js';
import { parseSdpmc } from './sdpmc.js';
import { parseSyslog } from './syslog.js';
import type { Parsed, ParseOptions } from './types.js';

export * from './archive.js';
export * from './archive.map.js';
export * from './catalogue.js';
export * from './catalogue.map.js';
export * from './delimited.js';
export * from './detect.js';
export * from './git.js';
export * from './git.map.js';
export * from './ids.js';
export * from './jira.js';
export * from './jira.map.js';
export * from './katdal.js';
export * from './katdal.map.js';
export * from './lines.js';
export * from './map.js';
export * from './mappers.js';
export * from './mentions.js';
export * from './obslog.js';
export * from './obslog.map.js';
export * from './plan.js';
export * from './plan.map.js';
export * from './journal.js';
export * from './journal.map.js';
export * from './s3.js';
export * from './s3.map.js';
export * from './sdpmc.js';
export * from './sdpmc.map.js';
export * from './syslog.js';
export * from './syslog.map.js';
export * from './types.js';

/**
 * Runs the parser of the named format over a file (for `git`, also a repository directory).
 * Records are typed per format; narrow them with the format-specific parser when the type matters.
 */
export async function* parseSource(format: ImportFormat, path: string, options: ParseOptions = {}): AsyncGenerator<Parsed<unknown>> {
  switch (format) {
    case 'obslog':
      yield* parseObslog(path, options);
      return;
    case 'sdpmc':
      yield* parseSdpmc(path, options);
      return;
    case 'archive':
      yield* parseArchive(path, options);
      return;
    case 'katdal':
      yield* parseKatdalSummary(path, options);
      return;
    case 's3':
      yield* parseS3Listing(path, options);
      return;
    case 'jira':
      yield* parseJira(path, options);
      return;
    case 'git':
      yield* (await stat(path)).isDirectory() ? parseGitRepository(path, options) : parseGitJsonl(path, options);
      return;
    case 'catalogue':
      yield* parseCatalogue(path, options);
      return;
    case 'syslog':
      yield* parseSyslog(path, options);
      return;
    case 'plan':
      yield* parsePlan(path, options);
      return;
    case 'journal':
      yield* parseJournal(path, options);
      return;
  }
}

/**
 * Runs the parser of the named format as `parseSource` does, in batches. An observation log, which
 * can run to gigabytes, yields one batch per chunk read, so the consumer skips one await per
 * record. The other formats yield one record per batch.
 */
export async function* parseSourceBatches(format: ImportFormat, path: string, options: ParseOptions = {}): AsyncGenerator<readonly Parsed<unknown>[]> {
  if (format === 'obslog') {
    yield* parseObslogBatches(path, options);
    return;
  }
  if (format === 'archive') {
    yield* parseArchiveBatches(path, options);
    return;
  }
  for await (const item of parseSource(format, path, options)) yield [item];
}
