/**
 * Maps commits to engineering changes. Only merge commits and tagged commits become changes,
 * because those are what gets released; ordinary commits are part of them.
 */
import { changeStream, clipTitle, type RecordChange } from '../domain/index.js';
import type { GitRecord } from './git.js';
import { importCommand, type MapContext, provenanceOf, type RecordMapper } from './map.js';

export interface GitMapOptions {
  /** The component the repository builds, e.g. katsdpcontroller; changes touch it. */
  readonly component: string;
  /** The subsystem that owns the component, e.g. SDP. */
  readonly subsystem: string;
  /** Feature keys known to the plan; a change whose message names one delivers it. */
  readonly featureKeys?: ReadonlySet<string>;
}

export function mapGit(_context: MapContext, options: GitMapOptions): RecordMapper<GitRecord> {
  return (parsed) => {
    const value = parsed.record;
    if (value.type !== 'commit' || (!value.merge && value.tags.length === 0)) return [];
    const provenance = provenanceOf('git', parsed);

    // Commit hashes are the change ids: 40 hex digits, unique and stable across re-imports.
    const command: RecordChange = {
      type: 'RecordChange',
      data: {
        changeId: value.hash,
        kind: 'software',
        subsystem: options.subsystem,
        components: [options.component],
        version: value.tags.length === 0 ? '' : `${options.component} ${value.tags.join(', ')}`,
        summary: value.subject === '' ? value.hash : clipTitle(value.subject),
        ticketKeys: value.issueKeys,
        deliversFeatures: value.issueKeys.filter((key) => options.featureKeys?.has(key) ?? false),
        recordedBy: value.author === '' ? 'unknown' : value.author,
        recordedAt: value.authorDateUtc,
      },
    };
    return [importCommand(provenance, changeStream(value.hash), command)];
  };
}

/** Guesses the component from a file or folder name: gitlog-katsdpcontroller.jsonl gives katsdpcontroller. */
export function componentFromPath(path: string): string {
  const base = path.replace(/[/\\]+$/, '').split(/[/\\]/).pop() ?? path;
  return base.replace(/\.(jsonl|json|git)$/i, '').replace(/^gitlog-/i, '');
}
