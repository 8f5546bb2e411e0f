/**
 * Maps plan features to `ProposeFeature` commands, and an edited entry for a feature already in
 * the log to the commands that revise it.
 */
import { isDeepStrictEqual } from 'node:util';
import {
  criteriaInEffect,
  featureStream,
  scoresInEffect,
  ticketsInEffect,
  type FeatureDefinition,
  type FeatureState,
  type ProposeFeature,
  type RescoreFeature,
  type SetEvidenceCriteria,
  type SetFeatureTickets,
} from '../domain/index.js';
import { importCommand, type ImportCommand, type MapContext, provenanceOf, type RecordMapper, withoutEmpty } from './map.js';
import { utcOf } from './zoned-instant.js';
import type { PlanFeature } from './plan.js';

/**
 * Proposals whose plan entry gives its own `proposed:` date. Without one the proposal is dated at
 * the import, so only a given date can differ from the log's on a later import.
 */
const DATED_PROPOSALS = new WeakSet<ProposeFeature['data']>();

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
        ticketKeys: feature.tickets,
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
        proposedAt: feature.proposed === undefined ? context.importedAt : utcOf(feature.proposed),
      },
    };
    if (feature.proposed !== undefined) DATED_PROPOSALS.add(command.data);
    return [importCommand(provenance, featureStream(feature.key), command)];
  };
}

/** Definition fields that only a proposal sets: no command revises them. */
const FIXED_FIELDS = ['title', 'subsystem', 'components', 'requirementRefs'] as const satisfies readonly (keyof FeatureDefinition)[];

/** Fields whose order carries no meaning, compared as sets. */
const UNORDERED_FIELDS: ReadonlySet<string> = new Set(['components', 'requirementRefs']);

/** The revision an edited plan entry makes to a feature already in the log. */
export interface PlanRevision {
  readonly featureKey: string;
  /** Rescore and evidence-criteria commands that bring the feature to the plan's values; empty when they match. */
  readonly items: readonly ImportCommand[];
  /** Fields the plan entry changes that stay as first proposed, e.g. `title`. */
  readonly fixedChanged: readonly (typeof FIXED_FIELDS)[number][];
  /** Revisions the plan entry would make to a withdrawn feature, which takes none, e.g. `scores`. */
  readonly ignoredOnWithdrawn: readonly ('scores' | 'evidence criteria' | 'tickets')[];
  /** The entry's `proposed:` date when it differs from the recorded proposal's, which stays; `null` otherwise. */
  readonly proposedAtChanged: { readonly planned: string; readonly recorded: string } | null;
}

/**
 * Compares a plan's proposal with the feature in the log, so that importing a plan always leaves
 * the feature's scores, evidence criteria and tickets as the plan gives them, an undone edit included.
 * Other changed fields are listed so that the import can warn. Returns undefined before the
 * feature is proposed. `streamLength` (events in the feature's stream) goes into the command ids:
 * a value set again after another edit is a new revision, and a re-run of the same import is not.
 * The revisions are dated `revisedAt`, the import's time, not the entry's `proposed` date.
 */
export function planRevision(item: ImportCommand, feature: FeatureState, streamLength: number, revisedAt: string): PlanRevision | undefined {
  if (item.command.type !== 'ProposeFeature' || feature.definition === null) return undefined;
  const proposed = item.command.data;
  const current = feature.definition;
  // The domain's own checks, so every revision made here is one the decider records.
  const rescored = !scoresInEffect(current, proposed.scores, proposed.verificationEffort);
  const criteriaChanged = !criteriaInEffect(current, proposed.evidenceCriteria);
  const ticketsChanged = !ticketsInEffect(current, proposed.ticketKeys);
  const fixedChanged = FIXED_FIELDS.filter((field) => !sameValue(field, proposed[field], current[field]));
  const recordedAt = feature.proposedAt;
  const proposedAtChanged =
    DATED_PROPOSALS.has(proposed) && recordedAt !== null && Date.parse(proposed.proposedAt) !== Date.parse(recordedAt)
      ? { planned: proposed.proposedAt, recorded: recordedAt }
      : null;
  const revised = [
    ...(rescored ? (['scores'] as const) : []),
    ...(criteriaChanged ? (['evidence criteria'] as const) : []),
    ...(ticketsChanged ? (['tickets'] as const) : []),
  ];
  if (feature.status === 'withdrawn') {
    return { featureKey: proposed.featureKey, items: [], fixedChanged, ignoredOnWithdrawn: revised, proposedAtChanged };
  }

  const part = `after-${streamLength}`;
  const items: ImportCommand[] = [];
  if (rescored) {
    const rescore: RescoreFeature = {
      type: 'RescoreFeature',
      data: {
        featureKey: proposed.featureKey,
        scores: proposed.scores,
        verificationEffort: proposed.verificationEffort,
        rescoredBy: proposed.proposedBy,
        rescoredAt: revisedAt,
      },
    };
    items.push(importCommand(item.provenance, item.stream, rescore, part));
  }
  if (criteriaChanged) {
    const criteria: SetEvidenceCriteria = {
      type: 'SetEvidenceCriteria',
      data: { featureKey: proposed.featureKey, evidenceCriteria: proposed.evidenceCriteria, setBy: proposed.proposedBy, setAt: revisedAt },
    };
    items.push(importCommand(item.provenance, item.stream, criteria, part));
  }
  if (ticketsChanged) {
    const tickets: SetFeatureTickets = {
      type: 'SetFeatureTickets',
      data: { featureKey: proposed.featureKey, ticketKeys: proposed.ticketKeys, setBy: proposed.proposedBy, setAt: revisedAt },
    };
    items.push(importCommand(item.provenance, item.stream, tickets, part));
  }
  return { featureKey: proposed.featureKey, items, fixedChanged, ignoredOnWithdrawn: [], proposedAtChanged };
}

function sameValue(field: string, proposed: unknown, current: unknown): boolean {
  if (UNORDERED_FIELDS.has(field) && Array.isArray(proposed) && Array.isArray(current)) {
    return isDeepStrictEqual([...new Set(proposed as string[])].sort(), [...new Set(current as string[])].sort());
  }
  return isDeepStrictEqual(proposed, current);
}
