/**
 * Jira issues from the REST API as JSON (one issue, a search result `{issues: […]}` or an array
 * of issues) or from Jira's CSV export, whose repeated columns ("Labels", "Outward issue link
 * (Relates)", "Comment") are read as lists. Links keep their direction and wording; capture block
 * ids, schedule block ids and issue keys in the summary, description or comments become mentions.
 */
import { open, readFile, stat } from 'node:fs/promises';
import { DelimitedRowReader, type RowResult } from './delimited.js';
import { type LineHandler, parseLinesWith } from './driver.js';
import type { TextLine } from './lines.js';
import { findMentions, type Mention } from './mentions.js';
import { preview } from './obslog.js';
import { monthNumber, pad2 } from './time.js';
import { applyStrictness, ImportError, type Parsed, type ParseOptions, record, sha256, type Source, sourceName, warning } from './types.js';

export interface JiraLink {
  readonly direction: 'outward' | 'inward';
  /** The link type's name (Reference, Relates, Blocks). */
  readonly type: string;
  /** The link's wording seen from this issue: "relates to", "is blocked by". */
  readonly wording: string;
  readonly key: string;
}

export interface JiraComment {
  readonly author?: string;
  readonly created?: string;
  readonly body: string;
}

export interface JiraMention extends Mention {
  readonly field: 'summary' | 'description' | 'comment';
}

export interface JiraIssue {
  readonly key: string;
  readonly id?: string;
  readonly summary: string;
  readonly issueType?: string;
  readonly status?: string;
  readonly priority?: string;
  readonly resolution?: string;
  /** ISO 8601 UTC. */
  readonly created?: string;
  readonly updated?: string;
  readonly resolved?: string;
  readonly reporter?: string;
  readonly assignee?: string;
  readonly labels: readonly string[];
  readonly components: readonly string[];
  readonly fixVersions: readonly string[];
  readonly description?: string;
  readonly links: readonly JiraLink[];
  readonly comments: readonly JiraComment[];
  readonly mentions: readonly JiraMention[];
}

export interface JiraOptions extends ParseOptions {
  /** Largest JSON file read whole, in bytes; default 64 MiB. CSV streams and has no such cap. */
  readonly maxJsonBytes?: number;
}

export const DEFAULT_MAX_JSON_BYTES = 64 * 1024 * 1024;

const ISSUE_KEY = /^[A-Z][A-Z0-9_]+-\d+$/;

/** Wording of Jira's default link types, for the CSV export, which names only the type. */
const LINK_WORDING: Record<string, { outward: string; inward: string }> = {
  relates: { outward: 'relates to', inward: 'relates to' },
  reference: { outward: 'relates to', inward: 'is related to' },
  blocks: { outward: 'blocks', inward: 'is blocked by' },
  cloners: { outward: 'clones', inward: 'is cloned by' },
  duplicate: { outward: 'duplicates', inward: 'is duplicated by' },
  'problem/incident': { outward: 'causes', inward: 'is caused by' },
  detail: { outward: 'details', inward: 'is detailed by' },
};

/** Parses a Jira file, choosing JSON or CSV by its extension or, failing that, its first character. */
export async function* parseJira(source: Source, options: JiraOptions = {}): AsyncGenerator<Parsed<JiraIssue>> {
  const file = sourceName(source);
  if (/\.csv$/i.test(file)) yield* parseJiraCsv(source, options);
  else if (/\.json$/i.test(file) || typeof source !== 'string') yield* parseJiraJson(source, options);
  else {
    const handle = await open(source, 'r');
    const { buffer, bytesRead } = await handle.read(Buffer.alloc(64), 0, 64, 0).finally(() => handle.close());
    const head = buffer.subarray(0, bytesRead).toString('utf8').replace(/^\uFEFF/, '').trimStart();
    yield* head.startsWith('{') || head.startsWith('[') ? parseJiraJson(source, options) : parseJiraCsv(source, options);
  }
}

export function parseJiraJson(source: Source, options: JiraOptions = {}): AsyncGenerator<Parsed<JiraIssue>> {
  return applyStrictness(readJson(source, options.maxJsonBytes ?? DEFAULT_MAX_JSON_BYTES), options.strict);
}

async function* readJson(source: Source, maxBytes: number): AsyncGenerator<Parsed<JiraIssue>> {
  const file = sourceName(source);
  const bytes = await readCapped(source, maxBytes);
  const text = bytes.toString('utf8').replace(/^\uFEFF/, '');

  let document: unknown;
  try {
    document = JSON.parse(text);
  } catch (error) {
    const position = /position (\d+)/.exec((error as Error).message)?.[1];
    const line = position === undefined ? 1 : lineAt(text, Number(position));
    throw new ImportError(file, line, `${file}:${line}: invalid JSON (${(error as Error).message}); export the issues again or fix the file`);
  }

  const single = isObject(document) && !Array.isArray(document) && !('issues' in document);
  let issues: unknown[];
  if (Array.isArray(document)) issues = document;
  else if (isObject(document) && Array.isArray(document['issues'])) issues = document['issues'];
  else if (single) issues = [document];
  else {
    yield warning(file, 1, 'JSON is neither an issue, a search result with "issues", nor an array of issues');
    return;
  }

  for (const raw of issues) {
    const line = isObject(raw) && typeof raw['key'] === 'string' ? lineOfKey(text, raw['key']) : 1;
    const issue = issueFromJson(raw);
    if (typeof issue === 'string') {
      yield warning(file, line, issue);
      continue;
    }
    // A lone issue is hashed as the file's bytes. Issues in a list are hashed as their JSON
    // re-serialisation, because the parser does not keep each issue's exact bytes.
    const digest = single ? sha256(bytes) : sha256(JSON.stringify(raw));
    yield record(issue, { file, line, key: issue.key }, digest);
  }
}

async function readCapped(source: Source, maxBytes: number): Promise<Buffer> {
  const file = sourceName(source);
  const tooLarge = (size: string): ImportError =>
    new ImportError(file, undefined, `${file} is ${size}, over the ${maxBytes}-byte limit for Jira JSON; export fewer issues per file (e.g. maxResults) or use the CSV export, which streams`);

  if (typeof source === 'string') {
    const { size } = await stat(source);
    if (size > maxBytes) throw tooLarge(`${size} bytes`);
    return readFile(source);
  }

  const chunks: Buffer[] = [];
  let total = 0;
  for await (const chunk of source.stream as AsyncIterable<Uint8Array>) {
    total += chunk.byteLength;
    if (total > maxBytes) throw tooLarge(`more than ${maxBytes} bytes`);
    chunks.push(Buffer.from(chunk));
  }
  return Buffer.concat(chunks);
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null;
}

function text(value: unknown): string | undefined {
  return typeof value === 'string' ? value : undefined;
}

function named(value: unknown): string | undefined {
  if (!isObject(value)) return undefined;
  return text(value['displayName']) ?? text(value['name']) ?? text(value['value']);
}

function lineAt(source: string, index: number): number {
  let line = 1;
  for (let position = source.indexOf('\n'); position >= 0 && position < index; position = source.indexOf('\n', position + 1)) line += 1;
  return line;
}

function lineOfKey(source: string, key: string): number {
  const index = source.search(new RegExp(`"key"\\s*:\\s*"${key.replace(/[^\w-]/g, '')}"`));
  return index < 0 ? 1 : lineAt(source, index);
}

/** Converts Jira's `2013-10-26T20:06:23.853+0000` to ISO 8601 UTC; undefined when unreadable. */
export function jiraTime(value: unknown): string | undefined {
  if (typeof value !== 'string') return undefined;
  const normalised = value.replace(/([+-]\d\d)(\d\d)$/, '$1:$2');
  const time = Date.parse(normalised);
  return Number.isNaN(time) ? undefined : new Date(time).toISOString();
}

function issueFromJson(raw: unknown): JiraIssue | string {
  if (!isObject(raw)) return 'issue is not a JSON object';
  const key = text(raw['key']);
  if (key === undefined || !ISSUE_KEY.test(key)) return `issue has no valid "key" (found ${preview(JSON.stringify(raw['key']) ?? 'nothing', 40)}); expected a key like DEMO-2719`;
  const fields = isObject(raw['fields']) ? raw['fields'] : {};

  const links: JiraLink[] = [];
  for (const link of Array.isArray(fields['issuelinks']) ? fields['issuelinks'] : []) {
    if (!isObject(link) || !isObject(link['type'])) continue;
    const type = link['type'];
    for (const direction of ['outward', 'inward'] as const) {
      const other = link[`${direction}Issue`];
      const otherKey = isObject(other) ? text(other['key']) : undefined;
      if (otherKey === undefined) continue;
      links.push({ direction, type: text(type['name']) ?? '', wording: text(type[direction]) ?? '', key: otherKey });
    }
  }

  const commentList = isObject(fields['comment']) && Array.isArray(fields['comment']['comments']) ? fields['comment']['comments'] : [];
  const comments: JiraComment[] = commentList.filter(isObject).map((comment) => withDefined({ author: named(comment['author']), created: jiraTime(comment['created']), body: text(comment['body']) ?? '' }));

  const summary = text(fields['summary']) ?? '';
  const description = text(fields['description']);
  return withDefined({
    key,
    id: text(raw['id']),
    summary,
    issueType: named(fields['issuetype']),
    status: named(fields['status']),
    priority: named(fields['priority']),
    resolution: named(fields['resolution']),
    created: jiraTime(fields['created']),
    updated: jiraTime(fields['updated']),
    resolved: jiraTime(fields['resolutiondate']),
    reporter: named(fields['reporter']),
    assignee: named(fields['assignee']),
    labels: (Array.isArray(fields['labels']) ? fields['labels'] : []).filter((label): label is string => typeof label === 'string'),
    components: (Array.isArray(fields['components']) ? fields['components'] : []).map(named).filter((name): name is string => name !== undefined),
    fixVersions: (Array.isArray(fields['fixVersions']) ? fields['fixVersions'] : []).map(named).filter((name): name is string => name !== undefined),
    description,
    links,
    comments,
    mentions: mentionsOf(key, summary, description, comments),
  });
}

/** Drops undefined properties so that optional fields are absent rather than undefined. */
function withDefined<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, field]) => field !== undefined)) as T;
}

function mentionsOf(ownKey: string, summary: string, description: string | undefined, comments: readonly JiraComment[]): JiraMention[] {
  const mentions: JiraMention[] = [];
  const add = (field: JiraMention['field'], body: string | undefined): void => {
    if (body === undefined) return;
    for (const mention of findMentions(body)) {
      if (mention.value === ownKey) continue;
      if (!mentions.some((known) => known.value === mention.value && known.field === field)) mentions.push({ ...mention, field });
    }
  };
  add('summary', summary);
  add('description', description);
  for (const comment of comments) add('comment', comment.body);
  return mentions;
}

export function parseJiraCsv(source: Source, options: ParseOptions = {}): AsyncGenerator<Parsed<JiraIssue>> {
  return parseLinesWith(source, options, new JiraCsvHandler(sourceName(source)));
}

/**
 * Reads a date as Jira's CSV export writes it, `26/Oct/13 8:06 PM`, taken as UTC. ISO 8601
 * input is accepted too. Returns undefined when unreadable.
 */
export function jiraCsvTime(value: string): string | undefined {
  const match = /^(\d{1,2})\/([A-Z][a-z]{2})\/(\d{2}) (\d{1,2}):(\d\d) ([AP]M)$/.exec(value.trim());
  if (match === null) return value.trim() === '' ? undefined : jiraTime(value.trim());
  const month = monthNumber(match[2] ?? '');
  const hour12 = Number(match[4]);
  if (month === 0 || hour12 < 1 || hour12 > 12) return undefined;
  const hour = (hour12 % 12) + (match[6] === 'PM' ? 12 : 0);
  // NOTE: the export writes times in the exporting user's time zone without saying which; UTC is assumed.
  return `20${match[3]}-${pad2(month)}-${pad2(Number(match[1]))}T${pad2(hour)}:${match[5]}:00.000Z`;
}

class JiraCsvHandler implements LineHandler<JiraIssue> {
  private readonly reader = new DelimitedRowReader(',');
  private header: string[] | undefined;

  constructor(private readonly file: string) {}

  line(line: TextLine, out: Parsed<JiraIssue>[]): void {
    this.handle(this.reader.push(line), out);
  }

  end(out: Parsed<JiraIssue>[]): void {
    this.handle(this.reader.end(), out);
  }

  private handle(result: RowResult | null, out: Parsed<JiraIssue>[]): void {
    if (result === null) return;
    if (result.kind === 'error') {
      out.push(warning(this.file, result.line, result.message));
      return;
    }
    const { fields, line, digest } = result.row;
    if (fields.length === 1 && (fields[0] ?? '').trim() === '') return;

    if (this.header === undefined) {
      this.header = fields.map((name) => name.trim());
      if (!this.header.includes('Issue key')) {
        out.push(warning(this.file, line, `header has no "Issue key" column; export the issues from Jira with "Export CSV (all fields)"`));
      }
      return;
    }

    const issue = this.issueFromRow(fields);
    if (typeof issue === 'string') out.push(warning(this.file, line, issue));
    else out.push(record(issue, { file: this.file, line, key: issue.key }, digest));
  }

  private issueFromRow(fields: readonly string[]): JiraIssue | string {
    const header = this.header ?? [];
    const all = (name: string): string[] =>
      header.flatMap((column, index) => (column === name ? [(fields[index] ?? '').trim()] : [])).filter((value) => value !== '');
    const one = (name: string): string | undefined => all(name)[0];

    const key = one('Issue key');
    if (key === undefined || !ISSUE_KEY.test(key)) return `row has no valid "Issue key" (found "${preview(key ?? '', 40)}"); expected a key like DEMO-2719`;

    const links: JiraLink[] = [];
    header.forEach((column, index) => {
      const match = /^(Outward|Inward) issue link \((.+)\)$/.exec(column);
      const value = (fields[index] ?? '').trim();
      if (match === null || value === '') return;
      const direction = match[1] === 'Outward' ? 'outward' : 'inward';
      const type = match[2] ?? '';
      const wording = LINK_WORDING[type.toLowerCase()]?.[direction] ?? `${direction === 'outward' ? '' : 'is '}${type.toLowerCase()}${direction === 'outward' ? '' : ' by'}`;
      for (const linked of value.split(/[,\s]+/).filter((item) => ISSUE_KEY.test(item))) links.push({ direction, type, wording, key: linked });
    });

    // Jira writes each comment as "date;author;body"; the body may itself contain semicolons.
    const comments: JiraComment[] = all('Comment').map((value) => {
      const match = /^([^;]*);([^;]*);([\s\S]*)$/.exec(value);
      if (match === null) return { body: value };
      return withDefined({ created: jiraCsvTime(match[1] ?? ''), author: match[2] || undefined, body: match[3] ?? '' });
    });

    const summary = one('Summary') ?? '';
    const description = one('Description');
    return withDefined({
      key,
      id: one('Issue id'),
      summary,
      issueType: one('Issue Type'),
      status: one('Status'),
      priority: one('Priority'),
      resolution: one('Resolution'),
      created: jiraCsvTime(one('Created') ?? ''),
      updated: jiraCsvTime(one('Updated') ?? ''),
      resolved: jiraCsvTime(one('Resolved') ?? ''),
      reporter: one('Reporter'),
      assignee: one('Assignee'),
      labels: all('Labels'),
      components: all('Component/s'),
      fixVersions: all('Fix Version/s'),
      description,
      links,
      comments,
      mentions: mentionsOf(key, summary, description, comments),
    });
  }
}
