/**
 * Maps katdal dataset summaries to observation facts. A summary names both the capture block and
 * the schedule block (katdal's Experiment ID). The domain links both identifiers to the
 * observation when it records them as facts, so no separate link command is needed.
 */
import type { CompoundScanFact, RecordObservationFacts } from '../domain/index.js';
import type { KatdalDataset } from './katdal.js';
import { factSourceOf, importCommand, type MapContext, observationStreamOf, provenanceOf, type RecordMapper, tagTargets, withoutEmpty } from './map.js';

/** Scan states during which the antennas are on target, as katdal labels them. */
const ON_TARGET_STATES = new Set(['track', 'scan']);

export function mapKatdal(context: MapContext): RecordMapper<KatdalDataset> {
  return (parsed) => {
    const value = parsed.record;
    const provenance = provenanceOf('katdal', parsed);
    const observation = observationStreamOf(value.captureBlockId, value.scheduleBlockId);
    if (observation === undefined) return [];

    const tagsInSummary = new Map(value.targets.map((target) => [target.name, target.tags]));
    const facts: RecordObservationFacts = {
      type: 'RecordObservationFacts',
      data: {
        observationId: observation.id,
        source: factSourceOf(provenance),
        facts: withoutEmpty({
          captureBlockId: value.captureBlockId,
          scheduleBlockId: value.scheduleBlockId,
          observer: value.observer,
          description: value.description,
          startUtc: value.start,
          endUtc: value.end,
          targets: tagTargets(
            value.targets.map((target) => target.name),
            context,
            (name) => tagsInSummary.get(name) ?? [],
          ),
          compoundScans: compoundScansOf(value),
          receptors: value.antennas,
          band: value.band,
          product: value.product,
        }),
      },
    };
    return [importCommand(provenance, observation.stream, facts)];
  };
}

/** Sums the on-target time of each compound scan from its scans (start to end of each scan). */
function compoundScansOf(dataset: KatdalDataset): CompoundScanFact[] {
  const byIndex = new Map<number, { kind: string; target: string; durationSeconds: number }>();
  for (const scan of dataset.scans) {
    const entry = byIndex.get(scan.compoundScanIndex) ?? { kind: scan.compoundScanLabel, target: scan.target, durationSeconds: 0 };
    if (ON_TARGET_STATES.has(scan.state)) entry.durationSeconds += (Date.parse(scan.end) - Date.parse(scan.start)) / 1000;
    byIndex.set(scan.compoundScanIndex, entry);
  }
  return [...byIndex.values()];
}
