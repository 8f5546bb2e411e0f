/** Maps object-store bucket summaries to archived products and, for missing products, data gaps. */
import type { NoteObservationAnomaly, RecordArchivedProducts, RecordObservationFacts } from '../domain/index.js';
import { factSourceOf, importCommand, type ImportCommand, type MapContext, observationStreamOf, provenanceOf, type RecordMapper } from './map.js';
import type { S3Record } from './s3.js';

export function mapS3Listing(context: MapContext): RecordMapper<S3Record> {
  return (parsed) => {
    const value = parsed.record;
    if (value.type !== 'bucket') return [];
    const provenance = provenanceOf('s3', parsed);
    const observation = observationStreamOf(value.captureBlockId);
    if (observation === undefined) return [];

    // The bucket name is itself a fact about the observation, and recording it first lets the
    // products and gaps attach even when no log of the observation was imported.
    const known: RecordObservationFacts = {
      type: 'RecordObservationFacts',
      data: { observationId: observation.id, source: factSourceOf(provenance), facts: { captureBlockId: observation.id } },
    };
    const commands: ImportCommand[] = [importCommand(provenance, observation.stream, known)];
    if (value.products.length > 0) {
      const archived: RecordArchivedProducts = {
        type: 'RecordArchivedProducts',
        data: {
          observationId: observation.id,
          products: value.products.map((product) => ({ name: `${value.bucket}/${product}`, location: `s3://${value.bucket}/${product}/`, archivedAt: null })),
          source: factSourceOf(provenance),
        },
      };
      commands.push(importCommand(provenance, observation.stream, archived));
    }
    if (value.missing.length > 0) {
      const gap: NoteObservationAnomaly = {
        type: 'NoteObservationAnomaly',
        data: {
          observationId: observation.id,
          anomaly: { kind: 'missing-products', products: value.missing, detail: `bucket ${value.bucket} has no ${value.missing.join(', ')}` },
          source: factSourceOf(provenance),
          // NOTE: a listing does not say when the products should have been written, so the import time dates the gap.
          notedAt: context.importedAt,
        },
      };
      commands.push(importCommand(provenance, observation.stream, gap));
    }
    return commands;
  };
}
