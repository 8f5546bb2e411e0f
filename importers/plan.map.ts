/**
 * Maps plan features to `ProposeFeature` commands, and an edited entry for a feature already in
 * the log to the commands that revise it.
 */
import { isDeepStrictEqual } from 'node:util';
import { featureStream, type FeatureDefinition, type FeatureState, type ProposeFeature, type RescoreFeature, type SetEvidenceCriteria } from '../domain/index.js';
import { importCommand, type ImportCommand, type MapContext, provenanceOf, type RecordMapper, withoutEmpty } from './map.js';
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

/** Definition fields that only a proposal sets: no command revises them. */
const FIXED_FIELDS = ['title', 'subsystem', 'components', 'requirementRefs'] as const satisfies readonly (keyof FeatureDefinition)[];

/** The revision an edited plan entry makes to a feature already in the log. */
export interface PlanRevision {
  readonly featureKey: string;
  /** Rescore and evidence-criteria commands that bring the feature to the plan's values; empty when they match. */
  readonly items: readonly ImportCommand[];
  /** Fields the plan entry changes that stay as first proposed, e.g. `title`. */
  readonly fixedChanged: readonly (typeof FIXED_FIELDS)[number][];
}

/**
 * Compares a plan's proposal with the feature in the log. Scores, verification effort and
 * evidence criteria get their own commands with the entry's provenance. Other changed fields are
 * listed so that the import can warn. Returns undefined before the feature is proposed.
 */
export function planRevision(item: ImportCommand, feature: FeatureState): PlanRevision | undefined {
  if (item.command.type !== 'ProposeFeature' || feature.definition === null) return undefined;
  const proposed = item.command.data;
  const current = feature.definition;
  const items: ImportCommand[] = [];
  if (!isDeepStrictEqual(proposed.scores, current.scores) || proposed.verificationEffort !== current.verificationEffort) {
    const rescore: RescoreFeature = {
      type: 'RescoreFeature',
      data: {
        featureKey: proposed.featureKey,
        scores: proposed.scores,
        verificationEffort: proposed.verificationEffort,
        rescoredBy: proposed.proposedBy,
        rescoredAt: proposed.proposedAt,
      },
    };
    items.push(importCommand(item.provenance, item.stream, rescore));
  }
  if (!isDeepStrictEqual(proposed.evidenceCriteria, current.evidenceCriteria)) {
    const criteria: SetEvidenceCriteria = {
      type: 'SetEvidenceCriteria',
      data: { featureKey: proposed.featureKey, evidenceCriteria: proposed.evidenceCriteria, setBy: proposed.proposedBy, setAt: proposed.proposedAt },
    };
    items.push(importCommand(item.provenance, item.stream, criteria));
  }
  const fixedChanged = FIXED_FIELDS.filter((field) => !isDeepStrictEqual(proposed[field], current[field]));
  return { featureKey: proposed.featureKey, items, fixedChanged };
}
