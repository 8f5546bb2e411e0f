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
import { type Parsed, type ParseOptions, record, sha256, throwFirstWarning, warning } from './types.js';
import { describePath, readYamlFile, yamlList, type YamlListItem } from './yaml-list.js';
import { zonedInstant as instant } from './zoned-instant.js';

/**
 * Message of a text field given a YAML number or boolean. YAML reads `0012345` as 12345 and
 * `12e4567` as a float, so the value as written is lost unless it is quoted. The parser adds the
 * source text to this message.
 */
const QUOTE_MESSAGE = 'must be text, but YAML read it as a number or true/false';

/** Free text, kept as written. */
function plainText() {
  return z.string({ error: (issue) => textTypeMessage(issue.input) });
}

function textTypeMessage(input: unknown): string {
  if (input === undefined) return 'is missing';
  if (typeof input === 'number' || typeof input === 'boolean') return QUOTE_MESSAGE;
  return 'must be text';
}

/** Required text, trimmed; `emptyMessage` is the message for empty text. */
function text(emptyMessage: string) {
  return plainText().trim().min(1, { error: emptyMessage });
}

const person = text('must name who did it');
/** A name or id: a change id, a feature key, a component. */
const key = text('must not be empty');
const keys = z.array(key);
/**
 * An observation reference: a capture block id, which YAML reads as a number when unquoted, a
 * schedule block id or an onsky observation id.
 */
const observation = z
  .union([z.string(), z.number().int().nonnegative()], { error: 'must be a capture block id, a schedule block id or an observation id' })
  .transform((value) => String(value).trim())
  .pipe(z.string().min(1, { error: 'must not be empty' }));

const change = z.strictObject({
  change: key,
  at: instant,
  by: person,
  kind: z.enum(CHANGE_KINDS, { error: `must be one of ${CHANGE_KINDS.join(', ')}` }),
  subsystem: key,
  components: keys.min(1, { error: 'must list at least one component the change touches' }),
  summary: text('must say what the change does'),
  version: plainText().optional(),
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

const metric = z.strictObject({ name: key, value: z.number({ error: 'must be a number' }), unit: plainText().default('') });

const verify = z.strictObject({
  verify: key,
  at: instant,
  by: person,
  outcome: z.enum(VERIFICATION_OUTCOMES, { error: `must be one of ${VERIFICATION_OUTCOMES.join(', ')}` }),
  /** Capture block ids, schedule block ids or onsky observation ids. */
  observations: z.array(observation).default([]),
  metrics: z.array(metric).default([]),
  notes: plainText().optional(),
  id: key.optional(),
});

const review = z.strictObject({
  review: observation,
  at: instant,
  by: person,
  level: z.enum(REVIEW_LEVELS, { error: `must be one of ${REVIEW_LEVELS.join(', ')}` }),
  reason: plainText().optional(),
  notes: plainText().optional(),
});

const clear = z.strictObject({
  clear: key,
  at: instant,
  by: person,
  justification: text('must say why the suspicion is cleared'),
});

export type JournalChange = z.infer<typeof change> & { readonly kindOfEntry: 'change' };
export type JournalDeploy = z.infer<typeof deploy> & { readonly kindOfEntry: 'deploy' };
export type JournalDeliver = z.infer<typeof deliver> & { readonly kindOfEntry: 'deliver' };
export type JournalVerify = z.infer<typeof verify> & { readonly kindOfEntry: 'verify' };
export type JournalReview = z.infer<typeof review> & { readonly kindOfEntry: 'review' };
export type JournalClear = z.infer<typeof clear> & { readonly kindOfEntry: 'clear' };
export type JournalEntry = JournalChange | JournalDeploy | JournalDeliver | JournalVerify | JournalReview | JournalClear;

/** Entry kinds by their key. The key's value names what the entry is about. */
const SCHEMAS = { change, deploy, deliver, verify, review, clear } as const;
type EntryKind = keyof typeof SCHEMAS;
const ENTRY_KINDS = Object.keys(SCHEMAS) as EntryKind[];

export function parseJournal(file: string, options: ParseOptions = {}): AsyncGenerator<Parsed<JournalEntry>> {
  return readJournal(file, options.strict === true);
}

/** Parses the whole journal before yielding, so a strict import stops before it stores any entry. */
async function* readJournal(file: string, strict: boolean): AsyncGenerator<Parsed<JournalEntry>> {
  const items = [...parseJournalText(file, await readYamlFile(file, 'journals'))];
  if (strict) throwFirstWarning(items);
  yield* items;
}

/**
 * Validates journal text (YAML or JSON); `file` names it in messages. Each entry's record key is
 * `KIND:SUBJECT@TIME`, so editing a verdict or notes keeps the key and the import session can tell
 * an edited entry from a new one. Its digest covers the validated value, so comments and layout
 * do not change it.
 */
export function* parseJournalText(file: string, text: string): Generator<Parsed<JournalEntry>> {
  const items = yamlList(file, text, { key: 'journal', kind: 'a journal', items: 'entries', example: 'examples/journal.yaml' });
  const occurrences = new Map<string, number>();
  let previousAt: { at: number; line: number } | undefined;
  for (const [index, item] of items.entries()) {
    const entry = `entry ${index + 1}`;
    const value = item.value;
    const kind = kindOf(value);
    if (typeof kind !== 'string') {
      yield warning(file, item.line, `${entry} ${kind.problem}; start the entry with its kind, one of ${ENTRY_KINDS.join(', ')}; ${entry} skipped`);
      continue;
    }
    const result = SCHEMAS[kind].safeParse(value);
    if (!result.success) {
      for (const issue of result.error.issues) {
        yield warning(file, item.lineOf(issue.path), `${describePath(issue.path, kind)}: ${issueMessage(issue.message, issue.path, item)}; ${entry} (${kind}) skipped`);
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

    // The key is the entry's kind, subject and time, so the same entry in two files is one
    // record, and an entry whose other fields were edited is recognised as edited. A repeat of
    // the same kind, subject and time in one file gets a count.
    const subject = `${kind}:${(result.data as Record<string, unknown>)[kind] as string}@${new Date(at).toISOString()}`;
    const occurrence = (occurrences.get(subject) ?? 0) + 1;
    occurrences.set(subject, occurrence);
    const parsed = { ...result.data, kindOfEntry: kind } as JournalEntry;
    yield record(parsed, { file, line: item.line, key: occurrence === 1 ? subject : `${subject}#${occurrence}` }, sha256(canonicalJson(result.data)));
  }
}

/**
 * Returns an entry's kind: its first key when that is a kind, else its only key that is a kind,
 * so a delivery may still name the `change` that delivered it.
 */
function kindOf(value: unknown): EntryKind | { problem: string } {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return { problem: 'is not a mapping of fields' };
  const names = Object.keys(value);
  const isKind = (name: string | undefined): name is EntryKind => (ENTRY_KINDS as readonly string[]).includes(name ?? '');
  if (isKind(names[0])) return names[0];
  const kinds = names.filter(isKind);
  if (kinds.length === 1) return kinds[0]!;
  if (kinds.length === 0) return { problem: `names no kind (found ${names.length === 0 ? 'no key' : names.map((name) => `"${name}"`).join(', ')})` };
  return { problem: `names several kinds (${kinds.join(', ')})` };
}

/** Adds the value as written to the message of a text field that YAML read as a number. */
function issueMessage(message: string, path: readonly PropertyKey[], item: YamlListItem): string {
  if (message !== QUOTE_MESSAGE) return message;
  const written = item.sourceOf(path) ?? '…';
  const field = typeof path.at(-1) === 'string' ? `${String(path.at(-1))}: ` : '- ';
  return `${message}; quote it to keep it as written, e.g. ${field}"${written}"`;
}

/** JSON with object keys sorted at every level, so equal values give equal text. */
function canonicalJson(value: unknown): string {
  return JSON.stringify(value, (_key, field: unknown) =>
    typeof field === 'object' && field !== null && !Array.isArray(field) ? Object.fromEntries(Object.entries(field).sort(([a], [b]) => a.localeCompare(b, 'en'))) : field,
  );
}
