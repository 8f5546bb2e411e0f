/**
 * Runtime schemas of every event's data at its current schema version, for data that did not come
 * through a decider: an export restored from a file. Data of another shape (a list that is a
 * string, a time that is a number) folds without an error and then breaks the queries that read
 * it. A restore therefore checks each event against these first.
 *
 * Each schema is typed against the event's TypeScript type, so a required field added to an event
 * type without its schema fails to compile. Unknown extra fields are accepted and ignored.
 */
import { z } from 'zod';
import type { ChangeEvent } from './change.js';
import { CHANGE_KINDS } from './change.js';
import type { FeatureEvent } from './feature-events.js';
import type { FindingEvent } from './finding.js';
import type { ObservationEvent, ObservationFactName } from './observation-events.js';
import { OBSERVATION_FACT_NAMES, REVIEW_LEVELS } from './observation-events.js';
import type { OnskyEvent, OnskyEventType } from './registry.js';
import type { TargetEvent } from './target.js';
import type { TicketEvent } from './ticket.js';
import { isIsoUtc } from './values.js';
import { isWsjfScore, WSJF_SCALE } from './wsjf.js';

type DataOf<Event extends OnskyEvent, Type extends Event['type']> = Extract<Event, { type: Type }>['data'];

const text = z.string();
const texts = z.array(z.string());
const instant = z.string().refine(isIsoUtc, { message: 'expected an ISO 8601 UTC time such as 2019-03-05T16:24:22Z' });
/** A finite number: zod 4 rejects Infinity, which JSON.parse makes of a literal such as 1e400. */
const count = z.number();
/**
 * A WSJF score or verification effort on the modified Fibonacci scale, as the domain checks them:
 * a 0 divides WSJF by zero, and a huge score makes it infinite, which GraphQL cannot return.
 */
const score = z.number().refine(isWsjfScore, { message: `expected a WSJF score: ${WSJF_SCALE.join(', ')}` });
/** A whole count that GraphQL's 32-bit Int can return, e.g. a minimum number of receptors. */
const wholeCount = z.number().int().min(0).max(2_147_483_647);

const source = z.object({ importer: text, file: text, locator: text.optional() });
const scores = z.object({ userBusinessValue: score, timeCriticality: score, riskReductionOpportunityEnablement: score, jobSize: score });
const criteria = z.object({
  band: text.optional(),
  product: text.optional(),
  minReceptors: wholeCount.optional(),
  minOnTargetSeconds: count.min(0).optional(),
  targetTags: texts.optional(),
  scanKind: text.optional(),
});
const taggedTarget = z.object({ name: text, tags: texts });
const compoundScan = z.object({ kind: text, target: text, durationSeconds: count });

const factValues = {
  captureBlockId: text,
  scheduleBlockId: text,
  proposalId: text,
  observer: text,
  description: text,
  startUtc: instant,
  endUtc: instant,
  targets: z.array(taggedTarget),
  compoundScans: z.array(compoundScan),
  receptors: texts,
  band: text,
  product: text,
};
const facts = z.object(factValues).partial();
const factName = z.enum(OBSERVATION_FACT_NAMES as [ObservationFactName, ...ObservationFactName[]]);
const assertedFact = z.object({ value: z.union([text, texts, z.array(taggedTarget), z.array(compoundScan)]), source });
const identifier = z.object({ kind: z.enum(['capture-block', 'schedule-block']), value: text });
const anomaly = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('stragglers'), receptors: texts, detail: text }),
  z.object({ kind: z.literal('capture-done-failed'), detail: text }),
  z.object({ kind: z.literal('missing-products'), products: texts, detail: text }),
]);

const ticketLink = z.object({ direction: z.enum(['outward', 'inward']), relation: text, ticketKey: text });
const mentions = z.object({ captureBlockIds: texts, scheduleBlockIds: texts, featureKeys: texts });
const findingLinks = z.object({ hosts: texts, components: texts, changeIds: texts, observationIds: texts, ticketKeys: texts });

const feature: { readonly [Type in FeatureEvent['type']]: z.ZodType<DataOf<FeatureEvent, Type>> } = {
  FeatureProposed: z.object({
    featureKey: text,
    title: text,
    subsystem: text,
    components: texts,
    requirementRefs: texts,
    ticketKeys: texts,
    evidenceCriteria: criteria,
    scores,
    verificationEffort: score,
    proposedBy: text,
    proposedAt: instant,
  }),
  FeatureRescored: z.object({ featureKey: text, scores, verificationEffort: score, rescoredBy: text, rescoredAt: instant }),
  EvidenceCriteriaSet: z.object({ featureKey: text, evidenceCriteria: criteria, setBy: text, setAt: instant }),
  FeatureTicketsSet: z.object({ featureKey: text, ticketKeys: texts, setBy: text, setAt: instant }),
  FeatureDelivered: z.object({ featureKey: text, changeId: text.nullable(), deliveredAt: instant }),
  VerificationRecorded: z.object({
    featureKey: text,
    verificationId: text,
    outcome: z.enum(['passed', 'failed', 'inconclusive']),
    observationIds: texts,
    metrics: z.array(z.object({ name: text, value: count, unit: text })),
    notes: text,
    verifiedBy: text,
    verifiedAt: instant,
    changeId: text.nullable(),
  }),
  FeatureMarkedSuspect: z.object({ featureKey: text, changeId: text, deployedAt: instant, sharedComponents: texts, markedAt: instant }),
  SuspicionCleared: z.object({ featureKey: text, justification: text, clearedBy: text, clearedAt: instant }),
  FeatureWithdrawn: z.object({ featureKey: text, reason: text, withdrawnBy: text, withdrawnAt: instant }),
};

const change: { readonly [Type in ChangeEvent['type']]: z.ZodType<DataOf<ChangeEvent, Type>> } = {
  ChangeRecorded: z.object({
    changeId: text,
    kind: z.enum(CHANGE_KINDS),
    subsystem: text,
    components: texts,
    version: text.nullable(),
    summary: text,
    ticketKeys: texts,
    deliversFeatures: texts,
    recordedBy: text,
    recordedAt: instant,
  }),
  ChangeDeployed: z.object({
    changeId: text,
    deploymentId: text,
    deployedAt: instant,
    scope: z.object({ subarray: text.nullable(), receptors: texts, hosts: texts }),
    components: texts,
    deliversFeatures: texts,
  }),
  ChangeRolledBack: z.object({ changeId: text, deploymentIds: texts, rolledBackAt: instant, reason: text }),
};

const observation: { readonly [Type in ObservationEvent['type']]: z.ZodType<DataOf<ObservationEvent, Type>> } = {
  ObservationFactsRecorded: z.object({ observationId: text, source, facts }),
  ObservationFactConflicted: z.object({ observationId: text, fact: factName, kept: assertedFact, conflicting: assertedFact }),
  ObservationIdentifierLinked: z.object({ observationId: text, identifier, source, reason: text }),
  ObservationIdentifierUnlinked: z.object({ observationId: text, identifier, reason: text }),
  ObservationAnomalyNoted: z.object({ observationId: text, anomaly, source, notedAt: instant }),
  ObservationProductsArchived: z.object({
    observationId: text,
    products: z.array(z.object({ name: text, location: text, archivedAt: instant.nullable() })),
    source,
  }),
  ObservationReviewed: z.object({
    observationId: text,
    level: z.enum(REVIEW_LEVELS as ['automated-qa', 'inspected', 'imaged', 'discarded']),
    reviewer: text,
    reviewedAt: instant,
    reason: text.nullable(),
    notes: text,
  }),
};

const ticket: { readonly [Type in TicketEvent['type']]: z.ZodType<DataOf<TicketEvent, Type>> } = {
  TicketRecorded: z.object({ ticketKey: text, summary: text, status: text, links: z.array(ticketLink), mentions, source: source.nullable(), recordedAt: instant }),
  TicketUpdated: z.object({
    ticketKey: text,
    summary: text.nullable(),
    status: text.nullable(),
    addedLinks: z.array(ticketLink),
    removedLinks: z.array(ticketLink),
    addedMentions: mentions,
    source: source.nullable(),
    updatedAt: instant,
  }),
};

const finding: { readonly [Type in FindingEvent['type']]: z.ZodType<DataOf<FindingEvent, Type>> } = {
  FindingRecorded: z.object({ findingId: text, title: text, symptom: text, cause: text, workaround: text, links: findingLinks, recordedBy: text, recordedAt: instant }),
  FindingRevised: z.object({ findingId: text, symptom: text.optional(), cause: text.optional(), workaround: text.optional(), revisedBy: text, revisedAt: instant }),
  FindingLinked: z.object({ findingId: text, links: findingLinks, linkedBy: text, linkedAt: instant }),
};

const target: { readonly [Type in TargetEvent['type']]: z.ZodType<DataOf<TargetEvent, Type>> } = {
  TargetRecorded: z.object({ targetName: text, aliases: texts, tags: texts, coordinates: text, source: source.nullable(), recordedAt: instant }),
  TargetUpdated: z.object({ targetName: text, addedAliases: texts, addedTags: texts, source: source.nullable(), updatedAt: instant }),
};

const EVENT_DATA_SCHEMAS: { readonly [Type in OnskyEventType]: z.ZodType } = { ...feature, ...change, ...observation, ...ticket, ...finding, ...target };

/**
 * Checks an event's data against its type's schema at the current schema version. Returns the
 * first problem as `field.path: message`, or `undefined` when the data has the expected shape.
 */
export function eventDataProblem(type: OnskyEventType, data: unknown): string | undefined {
  const checked = EVENT_DATA_SCHEMAS[type].safeParse(data);
  if (checked.success) return undefined;
  const issue = checked.error.issues[0];
  if (issue === undefined) return 'invalid data';
  const path = issue.path.map(String).join('.');
  return path === '' ? issue.message : `${path}: ${issue.message}`;
}
