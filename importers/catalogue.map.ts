/** Maps katpoint catalogue entries to target records with their aliases and tags. */
import { targetStream, type RecordTarget } from '../domain/index.js';
import type { CatalogueTarget } from './catalogue.js';
import { factSourceOf, importCommand, type MapContext, provenanceOf, type RecordMapper } from './map.js';

export function mapCatalogue(context: MapContext): RecordMapper<CatalogueTarget> {
  return (parsed) => {
    const target = parsed.record;
    const provenance = provenanceOf('catalogue', parsed);
    const command: RecordTarget = {
      type: 'RecordTarget',
      data: {
        targetName: target.name,
        aliases: target.aliases,
        // katpoint writes the body type first among the tags; the domain keeps that order.
        tags: [target.bodyType, ...target.tags],
        coordinates: target.coordinates.join(' '),
        source: factSourceOf(provenance),
        recordedAt: context.importedAt,
      },
    };
    return [importCommand(provenance, targetStream(target.name), command)];
  };
}
