/**
 * Commissioning journals: YAML or JSON files that list, in time order, what a team did before it
 * used onsky or outside it. The entries record changes, deployments, deliveries, verifications
 * with the observations they cite, observation reviews and cleared suspicions. Each entry is
 * validated on its own, so one bad entry is a warning naming its line.
 */
import { z } from 'zod';
import { CHANGE_KINDS } from '../domain/change.js';
import { REVIEW_LEVELS } from '../domain/observation-events.js';
import { VERIFICATION_OUTCOMES } from '../domain/feature-events.js';
import { applyStrictness, type Parsed, type ParseOptions, record, sha256, warning } from './types.js';
import { describePath, readYamlFile, yamlList } from './yaml-list.js';

const instant = z.iso.datetime({ offset: true, error: 'must be an ISO 8601 time with a zone, such as 2019-03-07T14:00:00Z' });
const person = z.string().trim().min(1, { error: 'must name who did it' });
/** YAML reads an unquoted capture block id as a number; ids are text here. */
const key = z
  .union([z.string(), z.number().int().nonnegative()], { error: 'must be a name or an id' })
  .transform((value) => String(value).trim())
  .pipe(z.string().min(1, { error: 'must not be empty' }));
const keys = z.array(key);

const change = z.strictObject({
  change: key,
  at: instant,
  by: person,
  kind: z.enum(CHANGE_KINDS, { error: `must be one of ${CHANGE_KINDS.join(', ')}` }),
  subsystem: key,
  components: keys.min(1, { error: 'must list at least one component the change touches' }),
  summary: key,
  version: z.string().optional(),
  tickets: keys.default([]),
  delivers: keys.default([]),
});

const deploy = z.strictObject({
  deploy: key,
  at: instant,
  /** Defaults to the change id and time, which identify one deployment. */
  id: key.optional(),
  subarray: key.optional(),
  receptors: keys.default([]),
  hosts: keys.default([]),
});

const deliver = z.strictObject({
  deliver: key,
  at: instant,
  change: key.optional(),
});

const metric = z.strictObject({ name: key, value: z.number({ error: 'must be a number' }), unit: z.string().default('') });

const verify = z.strictObject({
  verify: key,
  at: instant,
  by: person,
  outcome: z.enum(VERIFICATION_OUTCOMES, { error: `must be one of ${VERIFICATION_OUTCOMES.join(', ')}` }),
  /** Capture block ids, schedule block ids or onsky observation ids. */
  observations: keys.default([]),
  metrics: z.array(metric).default([]),
  notes: z.string().optional(),
  id: key.optional(),
});

const review = z.strictObject({
  review: key,
  at: instant,
  by: person,
  level: z.enum(REVIEW_LEVELS, { error: `must be one of ${REVIEW_LEVELS.join(', ')}` }),
  reason: z.string().optional(),
  notes: z.string().optional(),
});

const clear = z.strictObject({
  clear: key,
  at: instant,
  by: person,
  justification: key,
});

export type JournalChange = z.infer<typeof change> & { readonly kindOfEntry: 'change' };
export type JournalDeploy = z.infer<typeof deploy> & { readonly kindOfEntry: 'deploy' };
export type JournalDeliver = z.infer<typeof deliver> & { readonly kindOfEntry: 'deliver' };
export type JournalVerify = z.infer<typeof verify> & { readonly kindOfEntry: 'verify' };
export type JournalReview = z.infer<typeof review> & { readonly kindOfEntry: 'review' };
export type JournalClear = z.infer<typeof clear> & { readonly kindOfEntry: 'clear' };
export type JournalEntry = JournalChange | JournalDeploy | JournalDeliver | JournalVerify | JournalReview | JournalClear;

/** Entry kinds by their first key. The key's value names what the entry is about. */
const SCHEMAS = { change, deploy, deliver, verify, review, clear } as const;
type EntryKind = keyof typeof SCHEMAS;
const ENTRY_KINDS = Object.keys(SCHEMAS) as EntryKind[];

export function parseJournal(file: string, options: ParseOptions = {}): AsyncGenerator<Parsed<JournalEntry>> {
  return applyStrictness(readJournal(file), options.strict);
}

async function* readJournal(file: string): AsyncGenerator<Parsed<JournalEntry>> {
  yield* parseJournalText(file, await readYamlFile(file, 'journals'));
}

/** Validates journal text (YAML or JSON); `file` names it in messages. */
export function* parseJournalText(file: string, text: string): Generator<Parsed<JournalEntry>> {
  const list = yamlList(file, text, 'journal');
  if (list.kind === 'missing') {
    yield warning(file, list.line, 'a journal must be a mapping with a "journal:" list of entries; see examples/journal.yaml');
    return;
  }

  let previousAt: { at: number; line: number } | undefined;
  for (const [index, item] of list.items.entries()) {
    const entry = `entry ${index + 1}`;
    const value = item.value;
    // The first key names the kind, so a delivery may still name the `change` that delivered it.
    const first = typeof value === 'object' && value !== null && !Array.isArray(value) ? Object.keys(value)[0] : undefined;
    if (first === undefined || !(ENTRY_KINDS as string[]).includes(first)) {
      const found = first === undefined ? 'no key' : `"${first}"`;
      yield warning(file, item.line, `${entry} must start with one of ${ENTRY_KINDS.join(', ')} (found ${found}); ${entry} skipped`);
      continue;
    }
    const kind = first as EntryKind;
    const result = SCHEMAS[kind].safeParse(value);
    if (!result.success) {
      for (const issue of result.error.issues) {
        yield warning(file, item.lineOf(issue.path), `${describePath(issue.path, kind)}: ${issue.message}; ${entry} (${kind}) skipped`);
      }
      continue;
    }

    // Entries are decided in file order. A deployment listed before the verification it should
    // make suspect would not make it suspect, so an entry out of time order gets a warning.
    const at = Date.parse(result.data.at);
    if (previousAt !== undefined && at < previousAt.at) {
      yield warning(file, item.line, `${entry} (${kind}) at ${result.data.at} is earlier than the entry on line ${previousAt.line}; list entries in time order, because each is applied in turn`);
    }
    previousAt = { at, line: item.line };

    const parsed = { ...result.data, kindOfEntry: kind } as JournalEntry;
    yield record(parsed, { file, line: item.line, key: `${kind}:${(result.data as Record<string, unknown>)[kind] as string}@${result.data.at}` }, sha256(item.raw));
  }
}
