/**
 * Verification plans: a YAML or JSON file listing features with their WSJF scores, components,
 * requirement refs and evidence criteria. Each feature is validated on its own, so one bad entry
 * is a warning naming its line while the others import.
 */
import { z } from 'zod';
import { MAX_TICKET_KEYS, TICKET_KEY, TICKET_KEY_FORM } from '../domain/index.js';
import { type Parsed, type ParseOptions, record, sha256, throwFirstWarning, warning } from './types.js';
import { describePath, MAX_YAML_BYTES, readYamlFile, yamlList } from './yaml-list.js';
import { zonedInstant } from './zoned-instant.js';

/** The modified Fibonacci scale that WSJF scores use. */
export const WSJF_SCALE = [1, 2, 3, 5, 8, 13, 20] as const;

const score = z.literal(WSJF_SCALE, { error: `must be one of ${WSJF_SCALE.join(', ')} (the modified Fibonacci scale)` });

const FEATURE_KEY = /^[A-Z][A-Z0-9]*(?:[-_.][A-Z0-9]+)+$/;
const REQUIREMENT_REF = /^[A-Z][A-Za-z0-9]*(?:\.[A-Za-z0-9]+)+$/;

export const evidenceCriteriaSchema = z.strictObject({
  band: z.enum(['UHF', 'L', 'S'], { error: 'must be UHF, L or S' }).optional(),
  product: z.string().regex(/^[a-z]\d+M\d+k$/, { error: 'must be a correlator product such as c856M4k' }).optional(),
  minReceptors: z.number().int().min(1).max(64, { error: 'must be at most 64, the receptors in the array' }).optional(),
  minOnTargetMinutes: z.number().positive({ error: 'must be a positive number of minutes' }).optional(),
  targetTags: z.array(z.string().regex(/^[a-z_]+$/, { error: 'must be a katpoint tag such as bpcal, gaincal, fluxcal or polcal' })).optional(),
  scanKind: z.enum(['track', 'scan', 'raster_scan', 'drift_scan', 'interferometric_pointing'], { error: 'must be track, scan, raster_scan, drift_scan or interferometric_pointing' }).optional(),
  afterDelivery: z.boolean({ error: 'must be true or false' }).default(true),
});

const DATE_ONLY = /^\d{4}-\d{2}-\d{2}$/;
const PROPOSED_FORM = 'must be a date such as 2019-01-15 or a time with a zone such as 2019-01-15T09:00:00Z';

/** A proposal date, read as the start of that day in UTC, or a time with a zone; checked as journal times are. */
const proposedTime = z
  .string({ error: PROPOSED_FORM })
  .refine((value) => DATE_ONLY.test(value) || value.includes('T'), { error: PROPOSED_FORM })
  .transform((value) => (DATE_ONLY.test(value) ? `${value}T00:00:00Z` : value))
  .pipe(zonedInstant);

export const featureSchema = z.strictObject({
  key: z.string().regex(FEATURE_KEY, { error: 'must be upper case with hyphens, like MKAIV-449 or CBF-1K-START-DELAY' }),
  title: z.string().min(3, { error: 'must name the feature in a few words' }),
  subsystem: z.enum(['CBF', 'SDP', 'CAM', 'receptor', 'digitiser', 'time', 'network', 'storage'], {
    error: 'must be one of CBF, SDP, CAM, receptor, digitiser, time, network, storage',
  }),
  components: z.array(z.string().min(1)).min(1, { error: 'must list at least one component the feature touches' }),
  requirements: z.array(z.string().regex(REQUIREMENT_REF, { error: 'must be a requirement ref such as R.RC.P.30' })).default([]),
  tickets: z.array(z.string().regex(TICKET_KEY, { error: `must be ${TICKET_KEY_FORM}` })).max(MAX_TICKET_KEYS, { error: `must list at most ${MAX_TICKET_KEYS} tickets` }).default([]),
  wsjf: z.strictObject({
    businessValue: score,
    timeCriticality: score,
    riskReduction: score,
    jobSize: score,
    verificationEffort: score,
  }),
  // A feature without criteria accepts any observation taken after its delivery.
  criteria: evidenceCriteriaSchema.prefault({}),
  // When the feature was proposed; without it, the proposal is dated at the first import.
  proposed: proposedTime.optional(),
  description: z.string().optional(),
});

export type PlanFeature = z.infer<typeof featureSchema>;
export type EvidenceCriteria = z.infer<typeof evidenceCriteriaSchema>;

/** Plans are read whole; this caps how much. */
export const MAX_PLAN_BYTES = MAX_YAML_BYTES;

export function parsePlan(file: string, options: ParseOptions = {}): AsyncGenerator<Parsed<PlanFeature>> {
  return readPlan(file, options.strict === true);
}

/** Parses the whole plan before yielding, so a strict import stops before it stores any feature. */
async function* readPlan(file: string, strict: boolean): AsyncGenerator<Parsed<PlanFeature>> {
  const items = [...parsePlanText(file, await readYamlFile(file, 'plans'))];
  if (strict) throwFirstWarning(items);
  yield* items;
}

/** Returns the value at a path inside a parsed YAML item, `undefined` when the path leads nowhere. */
function valueAt(value: unknown, path: readonly PropertyKey[]): unknown {
  let current = value;
  for (const step of path) {
    if (current === null || typeof current !== 'object') return undefined;
    current = (current as Record<PropertyKey, unknown>)[step];
  }
  return current;
}

/** Quotes a short text or number for a warning (` "mkaiv-449"`); other values are left out. */
function shownValue(value: unknown): string {
  if (typeof value === 'number' || typeof value === 'boolean') return ` ${String(value)}`;
  if (typeof value !== 'string') return '';
  return ` ${JSON.stringify(value.length <= 60 ? value : `${value.slice(0, 60)}…`)}`;
}

/** Validates plan text (YAML or JSON, which YAML includes); `file` names it in messages. */
export function* parsePlanText(file: string, text: string): Generator<Parsed<PlanFeature>> {
  const items = yamlList(file, text, { key: 'features', kind: 'a plan', items: 'features', example: 'examples/plan.yaml' });
  const seen = new Map<string, number>();
  for (const [index, item] of items.entries()) {
    const result = featureSchema.safeParse(item.value);
    if (!result.success) {
      const key = (item.value as { key?: unknown } | null)?.key;
      const feature = typeof key === 'string' && key.length <= 80 ? `feature ${key}` : `feature ${index + 1} of the list`;
      for (const issue of result.error.issues) {
        const found = shownValue(valueAt(item.value, issue.path));
        yield warning(file, item.lineOf(issue.path), `${describePath(issue.path, 'feature')}${found}: ${issue.message}; ${feature} was not imported`);
      }
      continue;
    }

    const feature = result.data;
    const earlier = seen.get(feature.key);
    if (earlier !== undefined) {
      yield warning(file, item.line, `feature key ${feature.key} is already used on line ${earlier}; give each feature its own key`);
      continue;
    }
    seen.set(feature.key, item.line);
    yield record(feature, { file, line: item.line, key: feature.key }, sha256(item.raw));
  }
}
