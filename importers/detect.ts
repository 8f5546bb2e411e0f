/**
 * Guesses a file's import format from its first lines and, when those are not conclusive, its
 * name. A directory holding a git repository is the `git` format.
 */
import { open, stat } from 'node:fs/promises';
import { basename, join } from 'node:path';

export const FORMATS = ['obslog', 'sdpmc', 'archive', 'katdal', 's3', 'jira', 'git', 'catalogue', 'syslog', 'plan', 'journal'] as const;
export type ImportFormat = (typeof FORMATS)[number];

export interface Detection {
  readonly format: ImportFormat;
  /** The evidence for the guess, for a message such as "detected obslog (timestamp …)". */
  readonly reason: string;
}

/** How much of a file's start is read to guess its format. */
const SNIFF_BYTES = 16 * 1024;

const CONTENT_RULES: readonly { format: ImportFormat; reason: string; test: (lines: readonly string[], head: string) => boolean }[] = [
  { format: 'obslog', reason: 'lines that start "YYYY-MM-DD HH:MM:SS.fffZ LEVEL"', test: (lines) => lines.some((line) => /^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d(?:\.\d+)?Z\s+[A-Z]+\s/.test(line)) },
  { format: 'sdpmc', reason: 'lines with an "sdpmc:" program tag', test: (lines) => lines.some((line) => /^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d(?:\.\d+)? \S+ sdpmc: /.test(line)) },
  { format: 'syslog', reason: 'lines that start "Mon D HH:MM:SS HOST PROGRAM:"', test: (lines) => lines.some((line) => /^[A-Z][a-z]{2} {1,2}\d{1,2} \d\d:\d\d:\d\d \S+ [^:\s]+: /.test(line)) },
  { format: 'katdal', reason: 'a katdal "Name: … (version …)" header', test: (lines) => lines.some((line) => /^Name: .*\(version [\w.]+\)/.test(line)) && lines.some((line) => line.startsWith('Observer:') || line.startsWith('Observed from')) },
  { format: 's3', reason: 's3cmd ls output (DIR s3://…)', test: (lines) => lines.some((line) => /^\s*(?:DIR\s+|\d{4}-\d\d-\d\d \d\d:\d\d\s+\d+\s+)s3:\/\//.test(line)) },
  { format: 'archive', reason: 'a header with Schedule Block and StartTime columns', test: (lines) => /Schedule Block/i.test(lines[0] ?? '') && /Start ?Time/i.test(lines[0] ?? '') },
  { format: 'jira', reason: 'a Jira CSV header with "Issue key"', test: (lines) => /(^|,)"?Issue key"?(,|$)/.test(lines[0] ?? '') },
  { format: 'git', reason: 'JSON lines with "hash" and "parents"', test: (lines) => /^\{.*"hash"\s*:.*"parents"\s*:/.test(lines[0] ?? '') },
  { format: 'jira', reason: 'Jira REST JSON ("fields" or "issues")', test: (_lines, head) => /^\s*[[{]/.test(head) && /"(?:fields|issues)"\s*:/.test(head) && /"key"\s*:\s*"[A-Z][A-Z0-9_]+-\d+"/.test(head) },
  { format: 'plan', reason: 'a "features:" list', test: (lines, head) => lines.some((line) => /^features:\s*$/.test(line)) || hasTopLevelJsonKey(head, 'features') },
  { format: 'journal', reason: 'a "journal:" list', test: (lines, head) => lines.some((line) => /^journal:\s*$/.test(line)) || hasTopLevelJsonKey(head, 'journal') },
  { format: 'catalogue', reason: 'katpoint target descriptions ("NAME, radec TAGS, RA, DEC")', test: (lines) => lines.filter((line) => !line.startsWith('#')).some((line) => /^[^,#]+,\s*(?:radec|azel|gal|tle|special|xephem|star)\b/.test(line)) },
];

const NAME_RULES: readonly { format: ImportFormat; pattern: RegExp }[] = [
  { format: 'obslog', pattern: /obslog|observation.*\.log$/i },
  { format: 'sdpmc', pattern: /sdpmc|master.?controller/i },
  { format: 'archive', pattern: /archive/i },
  { format: 'katdal', pattern: /katdal/i },
  { format: 's3', pattern: /^s3|s3cmd/i },
  { format: 'jira', pattern: /jira/i },
  { format: 'git', pattern: /^gitlog|\.git$/i },
  { format: 'catalogue', pattern: /catalog(?:ue)?|cals\.csv$/i },
  { format: 'syslog', pattern: /syslog|kern\.log|messages$/i },
  { format: 'plan', pattern: /plan.*\.(?:ya?ml|json)$/i },
  { format: 'journal', pattern: /journal.*\.(?:ya?ml|json)$/i },
];

/** Guesses the format of one file's start; `name` adds the file-name hints. */
export function detectFromText(head: string, name = ''): Detection | undefined {
  const lines = head
    .replace(/^\uFEFF/, '')
    .split(/\r?\n/)
    .filter((line) => line.trim() !== '')
    .slice(0, 40);
  for (const rule of CONTENT_RULES) {
    if (rule.test(lines, head)) return { format: rule.format, reason: rule.reason };
  }
  const base = basename(name);
  const byName = NAME_RULES.find((rule) => rule.pattern.test(base));
  return byName === undefined ? undefined : { format: byName.format, reason: `the file name "${base}"` };
}

/**
 * True when `head` starts a JSON object with `key` among its top-level keys, wherever in the
 * object the key comes. The scan tracks strings and nesting, so the same text inside a string
 * value or a nested object does not count. The object may be cut off at the end of `head`.
 */
export function hasTopLevelJsonKey(head: string, key: string): boolean {
  const text = head.replace(/^\uFEFF/, '');
  const start = text.search(/\S/);
  if (start < 0 || text[start] !== '{') return false;
  let depth = 0;
  for (let index = start; index < text.length; index += 1) {
    const char = text[index];
    if (char === '{' || char === '[') depth += 1;
    else if (char === '}' || char === ']') {
      depth -= 1;
      if (depth === 0) return false;
    } else if (char === '"') {
      const end = endOfJsonString(text, index);
      if (end < 0) return false;
      // A string at depth 1 followed by a colon is a key of the top-level object.
      if (depth === 1 && /^\s*:/.test(text.slice(end + 1, end + 64)) && text.slice(index, end + 1) === JSON.stringify(key)) return true;
      index = end;
    }
  }
  return false;
}

/** Returns the index of the quote closing the JSON string that opens at `open`, or -1 when `text` ends first. */
function endOfJsonString(text: string, open: number): number {
  for (let index = open + 1; index < text.length; index += 1) {
    if (text[index] === '\\') index += 1;
    else if (text[index] === '"') return index;
  }
  return -1;
}

/** Guesses the format of a file or directory; undefined when nothing matches. */
export async function detectFormat(path: string): Promise<Detection | undefined> {
  const info = await stat(path);
  if (info.isDirectory()) {
    const isRepository = (await exists(join(path, '.git'))) || ((await exists(join(path, 'HEAD'))) && (await exists(join(path, 'objects'))));
    return isRepository ? { format: 'git', reason: 'a git repository' } : undefined;
  }

  const handle = await open(path, 'r');
  try {
    const { buffer, bytesRead } = await handle.read(Buffer.alloc(SNIFF_BYTES), 0, SNIFF_BYTES, 0);
    return detectFromText(buffer.subarray(0, bytesRead).toString('utf8'), path);
  } finally {
    await handle.close();
  }
}

async function exists(path: string): Promise<boolean> {
  try {
    await stat(path);
    return true;
  } catch {
    return false;
  }
}
