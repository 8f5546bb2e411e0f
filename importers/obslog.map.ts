/**
 * Maps observation-script log records to observation commands: the capture block line and the
 * session summary become the observation's facts, and each sensor wait with stragglers becomes an
 * anomaly.
 */
import type { RecordObservationFacts, NoteObservationAnomaly } from '../domain/index.js';
import { factSourceOf, importCommand, type ImportCommand, type MapContext, observationStreamOf, provenanceOf, type RecordMapper, tagTargets } from './map.js';
import type { ObslogRecord } from './obslog.js';

export function mapObslog(context: MapContext): RecordMapper<ObslogRecord> {
  return (parsed) => {
    const value = parsed.record;
    const observation = observationStreamOf(value.captureBlockId);
    // A log without a capture block id (an excerpt) cannot name its observation.
    if (observation === undefined) return [];

    // Only the records below become commands; the rest (tracks, offsets, scans) feed the session
    // summary, so their digest, hashed on first read, is never computed.
    if (value.type !== 'session' && value.type !== 'capture-block' && value.type !== 'stragglers') return [];
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
          anomaly: { kind: 'stragglers', receptors: value.receptors, detail: `waiting for sensor '${value.sensor}' == ${value.value} had ${value.count} straggler(s)` },
          source: factSourceOf(provenance),
          notedAt: value.at,
        },
      };
      return [importCommand(provenance, observation.stream, command)];
    }

    return [] satisfies ImportCommand[];
  };
}
