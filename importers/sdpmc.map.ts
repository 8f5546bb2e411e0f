/**
 * Maps SDP master-controller log records to observation commands: a started capture block records
 * the observation, and a capture-done that failed or timed out on a node becomes an anomaly.
 */
import type { NoteObservationAnomaly, RecordObservationFacts } from '../domain/index.js';
import { factSourceOf, importCommand, type MapContext, observationStreamOf, provenanceOf, type RecordMapper } from './map.js';
import type { SdpmcRecord } from './sdpmc.js';

/**
 * Returns a mapper for one log file, read in order: capture-done requests carry no capture block
 * id, so the mapper remembers the last capture block each subarray product started.
 */
export function mapSdpmc(_context: MapContext): RecordMapper<SdpmcRecord> {
  const currentCaptureBlock = new Map<string, string>();

  return (parsed) => {
    const value = parsed.record;
    const provenance = provenanceOf('sdpmc', parsed);

    if (value.type === 'capture-block-id' || value.type === 'capture-block-started') {
      currentCaptureBlock.set(value.subarrayProduct, value.captureBlockId);
    }
    if (value.type === 'capture-block-started') {
      const observation = observationStreamOf(value.captureBlockId);
      if (observation === undefined) return [];
      const command: RecordObservationFacts = {
        type: 'RecordObservationFacts',
        data: { observationId: observation.id, source: factSourceOf(provenance), facts: { captureBlockId: value.captureBlockId } },
      };
      return [importCommand(provenance, observation.stream, command)];
    }

    const failed = value.type === 'request-result' && value.request === 'capture-done' && (value.outcome === 'failure' || value.outcome === 'timeout');
    if (!failed) return [];
    const captureBlockId = value.captureBlockId ?? currentCaptureBlock.get(value.subarrayProduct);
    const observation = observationStreamOf(captureBlockId);
    if (observation === undefined) return [];

    const reason = value.outcome === 'timeout' ? 'timed out' : `failed${value.detail === undefined ? '' : `: ${value.detail}`}`;
    const command: NoteObservationAnomaly = {
      type: 'NoteObservationAnomaly',
      data: {
        observationId: observation.id,
        anomaly: { kind: 'capture-done-failed', detail: `capture-done on node ${value.node} ${reason}` },
        source: factSourceOf(provenance),
        notedAt: value.at,
      },
    };
    return [importCommand(provenance, observation.stream, command)];
  };
}
