/** Maps plan features to `ProposeFeature` commands. */
import { featureStream, type ProposeFeature } from '../domain/index.js';
import { importCommand, type MapContext, provenanceOf, type RecordMapper, withoutEmpty } from './map.js';
import type { PlanFeature } from './plan.js';

export function mapPlan(context: MapContext): RecordMapper<PlanFeature> {
  return (parsed) => {
    const feature = parsed.record;
    const provenance = provenanceOf('plan', parsed);
    const { criteria } = feature;

    // "Taken after delivery" is always enforced by the domain, so `afterDelivery` has no field there.
    const command: ProposeFeature = {
      type: 'ProposeFeature',
      data: {
        featureKey: feature.key,
        title: feature.title,
        subsystem: feature.subsystem,
        components: feature.components,
        requirementRefs: feature.requirements,
        evidenceCriteria: withoutEmpty({
          band: criteria.band,
          product: criteria.product,
          minReceptors: criteria.minReceptors,
          minOnTargetSeconds: criteria.minOnTargetMinutes === undefined ? undefined : criteria.minOnTargetMinutes * 60,
          targetTags: criteria.targetTags,
          scanKind: criteria.scanKind,
        }),
        scores: {
          userBusinessValue: feature.wsjf.businessValue,
          timeCriticality: feature.wsjf.timeCriticality,
          riskReductionOpportunityEnablement: feature.wsjf.riskReduction,
          jobSize: feature.wsjf.jobSize,
        },
        verificationEffort: feature.wsjf.verificationEffort,
        proposedBy: context.actor,
        proposedAt: context.importedAt,
      },
    };
    return [importCommand(provenance, featureStream(feature.key), command)];
  };
}
