/**
 * Policies: pure reactions of the domain to an event, as commands for other aggregates. The
 * caller passes in what a policy needs to know about other streams as a read-only lookup, and
 * appends the commands' events itself.
 */
import type { ChangeDeployed } from './change.js';
import type { DeliverFeature, MarkFeatureSuspect } from './feature.js';
import { compareText, instantMs } from './values.js';

/** Read access to the verified features, usually served by a read model. */
export interface VerifiedFeatureLookup {
  /** Keys of the features that are verified now and name `component` among their components. */
  verifiedFeaturesWithComponent(component: string): readonly string[];
  /**
   * Start (ISO 8601 UTC) of the earliest observation the feature's latest passed verification
   * cites, `undefined` when unknown. Without it every verified feature sharing a component is
   * marked suspect, which errs on the safe side.
   */
  evidenceStartOf?(featureKey: string): string | undefined;
}

/**
 * Reacts to a deployment: each feature the change names is delivered, and every verified
 * feature sharing a component the change touches is marked suspect with the change as the
 * reason. A feature the change delivers is not also marked suspect, because delivery already
 * puts it back in the verification queue. Neither is a feature whose evidence was all observed
 * at or after the deployment: the change was live when the evidence was taken, as when a past
 * deployment is recorded late.
 */
export function commandsAfterChangeDeployed(
  event: ChangeDeployed,
  features: VerifiedFeatureLookup,
): (DeliverFeature | MarkFeatureSuspect)[] {
  const { changeId, deployedAt, components, deliversFeatures } = event.data;

  const deliveries: DeliverFeature[] = [...new Set(deliversFeatures)].map((featureKey) => ({
    type: 'DeliverFeature',
    data: { featureKey, changeId, deliveredAt: deployedAt },
  }));

  const delivered = new Set(deliversFeatures);
  const sharedByFeature = new Map<string, string[]>();
  for (const component of new Set(components)) {
    for (const featureKey of features.verifiedFeaturesWithComponent(component)) {
      if (delivered.has(featureKey) || evidenceIncludes(features.evidenceStartOf?.(featureKey), deployedAt)) {
        continue;
      }
      const shared = sharedByFeature.get(featureKey) ?? [];
      shared.push(component);
      sharedByFeature.set(featureKey, shared);
    }
  }

  const suspicions: MarkFeatureSuspect[] = [...sharedByFeature.entries()]
    .sort(([a], [b]) => compareText(a, b))
    .map(([featureKey, sharedComponents]) => ({
      type: 'MarkFeatureSuspect',
      data: { featureKey, changeId, deployedAt, sharedComponents: [...sharedComponents].sort(), markedAt: deployedAt },
    }));

  return [...deliveries, ...suspicions];
}

/** True when evidence that started at `evidenceStart` was observed with a deployment of `deployedAt` live. */
function evidenceIncludes(evidenceStart: string | undefined, deployedAt: string): boolean {
  return evidenceStart !== undefined && instantMs(deployedAt) <= instantMs(evidenceStart);
}
