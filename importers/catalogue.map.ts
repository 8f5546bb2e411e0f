/** Maps katpoint catalogue entries to target records with their aliases and tags. */
import { targetStream, targetStreamId, type RecordTarget } from '../domain/index.js';
import type { CatalogueTarget } from './catalogue.js';
import { factSourceOf, importCommand, type MapContext, provenanceOf, type RecordMapper } from './map.js';

export function mapCatalogue(context: MapContext): RecordMapper<CatalogueTarget> {
  /** Coordinates of the targets first recorded by this file, by `targetStreamId`. */
  const recordedHere = new Map<string, string>();
  return (parsed) => {
    const target = parsed.record;
    const provenance = provenanceOf('catalogue', parsed);
    warnOnOtherCoordinates(context, recordedHere, target, parsed.locator.line ?? 0);
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

/**
 * Warns when an entry gives other coordinates for a target already recorded under the same name,
 * because the domain keeps the first coordinates and drops later ones. Coordinates are compared
 * as written: the same position at another precision is reported too.
 */
function warnOnOtherCoordinates(context: MapContext, recordedHere: Map<string, string>, target: CatalogueTarget, line: number): void {
  const coordinates = target.coordinates.join(' ');
  const stream = targetStreamId(target.name);
  const known = context.targets?.coordinatesOf(target.name) ?? recordedHere.get(stream);
  if (known === undefined) {
    if (coordinates !== '') recordedHere.set(stream, coordinates);
    return;
  }
  if (known === coordinates || coordinates === '') return;
  context.warn?.(
    line,
    `target "${target.name}" is already recorded at ${known}, but this entry gives ${coordinates}; onsky kept ${known} and added only this entry's aliases and tags. Correct the catalogue that is wrong`,
  );
}
