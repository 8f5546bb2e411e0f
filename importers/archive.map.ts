/** Maps archive search rows to observation facts, in a stream named by the schedule block. */
import type { RecordObservationFacts } from '../domain/index.js';
import type { ArchiveEntry } from './archive.js';
import { factSourceOf, importCommand, type MapContext, observationStreamOf, provenanceOf, type RecordMapper, tagTargets, withoutEmpty } from './map.js';

export function mapArchive(context: MapContext): RecordMapper<ArchiveEntry> {
  return (parsed) => {
    const value = parsed.record;
    const provenance = provenanceOf('archive', parsed);
    const observation = observationStreamOf(undefined, value.scheduleBlockId);
    if (observation === undefined) return [];

    const command: RecordObservationFacts = {
      type: 'RecordObservationFacts',
      data: {
        observationId: observation.id,
        source: factSourceOf(provenance),
        facts: withoutEmpty({
          scheduleBlockId: value.scheduleBlockId,
          proposalId: value.proposalId,
          observer: value.observer,
          description: value.description,
          startUtc: value.startTime,
          targets: tagTargets(value.targets, context),
        }),
      },
    };
    return [importCommand(provenance, observation.stream, command)];
  };
}
