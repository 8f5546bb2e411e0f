/** Chooses the record-to-command mapping of a format, for code that handles every format alike. */
import { mapArchive } from './archive.map.js';
import { mapCatalogue } from './catalogue.map.js';
import type { ImportFormat } from './detect.js';
import { componentFromPath, mapGit } from './git.map.js';
import { mapJira } from './jira.map.js';
import { mapKatdal } from './katdal.map.js';
import type { MapContext, RecordMapper } from './map.js';
import { mapObslog } from './obslog.map.js';
import { mapPlan } from './plan.map.js';
import { mapJournal } from './journal.map.js';
import { mapS3Listing } from './s3.map.js';
import { mapSdpmc } from './sdpmc.map.js';
import { mapSyslog } from './syslog.map.js';

export interface MapperOptions {
  /** Subsystem of the component a git history builds; default `unspecified`. */
  readonly gitSubsystem?: string;
  /** Component a git history builds; default: from the file or folder name (gitlog-X.jsonl gives X). */
  readonly gitComponent?: string;
  /** Feature keys a change delivers when its message names them. */
  readonly featureKeys?: ReadonlySet<string>;
}

/**
 * Returns the mapper of a format. It takes records of that format's parser (`parseSource` yields
 * them untyped); a mapper keeps state across one file's records, so make one per file.
 */
export function mapperFor(format: ImportFormat, context: MapContext, options: MapperOptions = {}): RecordMapper<unknown> {
  switch (format) {
    case 'obslog':
      return mapObslog(context) as RecordMapper<unknown>;
    case 'sdpmc':
      return mapSdpmc(context) as RecordMapper<unknown>;
    case 'archive':
      return mapArchive(context) as RecordMapper<unknown>;
    case 'katdal':
      return mapKatdal(context) as RecordMapper<unknown>;
    case 's3':
      return mapS3Listing(context) as RecordMapper<unknown>;
    case 'jira':
      return mapJira(context) as RecordMapper<unknown>;
    case 'catalogue':
      return mapCatalogue(context) as RecordMapper<unknown>;
    case 'syslog':
      return mapSyslog(context) as RecordMapper<unknown>;
    case 'plan':
      return mapPlan(context) as RecordMapper<unknown>;
    case 'journal':
      return mapJournal(context) as RecordMapper<unknown>;
    case 'git':
      return gitMapper(context, options);
  }
}

/** Builds the git mapper on the first record, whose locator names the file or repository. */
function gitMapper(context: MapContext, options: MapperOptions): RecordMapper<unknown> {
  let mapper: RecordMapper<unknown> | undefined;
  return (parsed) => {
    mapper ??= mapGit(context, {
      component: options.gitComponent ?? componentFromPath(parsed.locator.file),
      subsystem: options.gitSubsystem ?? 'unspecified',
      ...(options.featureKeys === undefined ? {} : { featureKeys: options.featureKeys }),
    }) as RecordMapper<unknown>;
    return mapper(parsed);
  };
}
