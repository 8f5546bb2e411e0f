/**
 * Maps observation-script log records to observation commands: the capture block line and the
 * session summary become the observation's facts, and each sensor wait with stragglers becomes an
 * anomaly.
 */
import type { RecordObservationFacts, NoteObservationAnomaly } from '../domain/index.js';
import { factSourceOf, importCommand, type ImportCommand, type MapContext, observationStreamOf, provenanceOf, type RecordMapper, tagTargets } from './map.js';
import type { ObslogRecord } from './obslog.js';

/**
 * Maximum of distinct straggler sets remembered per observation. A log repeats the same sensor
 * wait on every scan, and the domain notes an anomaly once per observation, so the mapper drops a
 * repeat before hashing it into ids. Past this many sets, the domain alone drops repeats.
 */
const MAX_REMEMBERED_STRAGGLER_SETS = 10_000;

export function mapObslog(context: MapContext): RecordMapper<ObslogRecord> {
  // Straggler anomalies already mapped for the observation the log is in, keyed by their content.
  let stragglersOf: string | undefined;
  let lastCaptureBlock: string | undefined;
  const stragglersSeen = new Set<string>();
  /** True when the same sensor wait was mapped for this observation before; remembers it if not. */
  const isRepeat = (observationId: string, value: Extract<ObslogRecord, { type: 'stragglers' }>): boolean => {
    if (stragglersOf !== observationId) {
      stragglersOf = observationId;
      stragglersSeen.clear();
    }
    const key = `${value.sensor}\n${value.value}\n${value.count}\n${receptorKey(value.receptors)}`;
    if (stragglersSeen.has(key)) return true;
    if (stragglersSeen.size < MAX_REMEMBERED_STRAGGLER_SETS) stragglersSeen.add(key);
    return false;
  };
  return (parsed) => {
    const value = parsed.record;
    // Only the records below become commands; the rest (tracks, offsets, scans) feed the session
    // summary, so their digest, hashed on first read, is never computed.
    if (value.type !== 'session' && value.type !== 'capture-block' && value.type !== 'stragglers') return [];
    const observation = observationStreamOf(value.captureBlockId);
    // A log without a capture block id (an excerpt) cannot name its observation.
    if (observation === undefined) return [];
    if (value.type === 'stragglers' && isRepeat(observation.id, value)) return [];
    // A log may name its capture block again, e.g. after the script restarts. The first naming
    // created the observation, so a repeat has nothing to record.
    if (value.type === 'capture-block' && lastCaptureBlock === observation.id) return [];
    if (value.type === 'capture-block') lastCaptureBlock = observation.id;
    const provenance = provenanceOf('obslog', parsed);

    if (value.type === 'session') {
      const command: RecordObservationFacts = {
        type: 'RecordObservationFacts',
        data: {
          observationId: observation.id,
          source: factSourceOf(provenance),
          facts: {
            captureBlockId: observation.id,
            startUtc: value.start,
            endUtc: value.end,
            targets: tagTargets(
              value.targets.map((target) => target.name),
              context,
            ),
            compoundScans: value.compoundScanList
              .filter((scan) => scan.target !== undefined)
              .map((scan) => ({ kind: scan.label, target: scan.target ?? '', durationSeconds: scan.trackedSeconds })),
          },
        },
      };
      return [importCommand(provenance, observation.stream, command)];
    }

    // The capture block line creates the observation early, so that anomalies before the session
    // summary at the end of the log have an observation to attach to.
    if (value.type === 'capture-block') {
      const command: RecordObservationFacts = {
        type: 'RecordObservationFacts',
        data: { observationId: observation.id, source: factSourceOf(provenance), facts: { captureBlockId: observation.id } },
      };
      return [importCommand(provenance, observation.stream, command)];
    }

    if (value.type === 'stragglers' && value.receptors.length > 0) {
      const command: NoteObservationAnomaly = {
        type: 'NoteObservationAnomaly',
        data: {
          observationId: observation.id,
          anomaly: { kind: 'stragglers', receptors: receptorSet(value.receptors), detail: `waiting for sensor '${value.sensor}' == ${value.value} had ${value.count} straggler(s)` },
          source: factSourceOf(provenance),
          notedAt: value.at,
        },
      };
      return [importCommand(provenance, observation.stream, command)];
    }

    return [] satisfies ImportCommand[];
  };
}

/**
 * Keys of straggler lists by the list. The parser hands the same frozen list to every record
 * that names it, so a list is sorted once rather than on each of the log's sensor waits.
 */
const receptorKeys = new WeakMap<readonly string[], string>();

/** Returns the receptors of `receptors` as one text, in `receptorSet`'s order. */
function receptorKey(receptors: readonly string[]): string {
  let key = receptorKeys.get(receptors);
  if (key === undefined) {
    key = receptorSet(receptors).join('\n');
    receptorKeys.set(receptors, key);
  }
  return key;
}

/**
 * Returns the receptors sorted and each once: a log lists stragglers in no fixed order, and the
 * same set in another order is the same anomaly.
 */
function receptorSet(receptors: readonly string[]): string[] {
  return [...new Set(receptors)].sort();
}
