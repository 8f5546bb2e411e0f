/**
 * Guesses an import file's format in the browser from its first 16 KB and its name, so the
 * Import page can preselect it (the server needs `format=`). The rules match the CLI's
 * `onsky import auto`: content first, then the file name.
 */

export interface DetectedFormat {
  readonly format: string;
  /** The evidence, shown next to the guess. */
  readonly reason: string;
}

type LineTest = (lines: readonly string[], head: string) => boolean;

const CONTENT_RULES: readonly { readonly format: string; readonly reason: string; readonly test: LineTest }[] = [
  { format: 'obslog', reason: 'lines start with a UTC timestamp and a log level', test: (lines) => lines.some((line) => /^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d(?:\.\d+)?Z\s+[A-Z]+\s/.test(line)) },
  { format: 'sdpmc', reason: 'lines carry an "sdpmc:" program tag', test: (lines) => lines.some((line) => /^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d(?:\.\d+)? \S+ sdpmc: /.test(line)) },
  { format: 'syslog', reason: 'lines start "Mon D HH:MM:SS HOST PROGRAM:"', test: (lines) => lines.some((line) => /^[A-Z][a-z]{2} {1,2}\d{1,2} \d\d:\d\d:\d\d \S+ [^:\s]+: /.test(line)) },
  { format: 'katdal', reason: 'a katdal "Name: … (version …)" header', test: (lines) => lines.some((line) => /^Name: .*\(version [\w.]+\)/.test(line)) },
  { format: 's3', reason: 'an s3cmd listing (s3://…)', test: (lines) => lines.some((line) => /^\s*(?:DIR\s+|\d{4}-\d\d-\d\d \d\d:\d\d\s+\d+\s+)s3:\/\//.test(line)) },
  { format: 'archive', reason: 'a header with Schedule Block and StartTime columns', test: (lines) => /Schedule Block/i.test(lines[0] ?? '') && /Start ?Time/i.test(lines[0] ?? '') },
  { format: 'jira', reason: 'a Jira CSV header with "Issue key"', test: (lines) => /(^|,)"?Issue key"?(,|$)/.test(lines[0] ?? '') },
  { format: 'git', reason: 'JSON lines with "hash" and "parents"', test: (lines) => /^\{.*"hash"\s*:.*"parents"\s*:/.test(lines[0] ?? '') },
  { format: 'jira', reason: 'Jira REST JSON', test: (_lines, head) => /^\s*[[{]/.test(head) && /"(?:fields|issues)"\s*:/.test(head) && /"key"\s*:\s*"[A-Z][A-Z0-9_]+-\d+"/.test(head) },
  { format: 'plan', reason: 'a "features:" list', test: (lines, head) => lines.some((line) => /^features:\s*$/.test(line)) || /^\s*\{\s*"features"\s*:/.test(head) },
  { format: 'catalogue', reason: 'katpoint target descriptions', test: (lines) => lines.filter((line) => !line.startsWith('#')).some((line) => /^[^,#]+,\s*(?:radec|azel|gal|tle|special|xephem|star)\b/.test(line)) },
];

const NAME_RULES: readonly { readonly format: string; readonly pattern: RegExp }[] = [
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
];

/** Bytes read from the start of the file. */
const SNIFF_BYTES = 16 * 1024;

export function detectFromText(head: string, name: string): DetectedFormat | null {
  const lines = head
    .replace(/^\uFEFF/, '')
    .split(/\r?\n/)
    .filter((line) => line.trim() !== '')
    .slice(0, 40);
  for (const rule of CONTENT_RULES) {
    if (rule.test(lines, head)) return { format: rule.format, reason: rule.reason };
  }
  const byName = NAME_RULES.find((rule) => rule.pattern.test(name));
  return byName === undefined ? null : { format: byName.format, reason: `the file name "${name}"` };
}

export async function detectFormat(file: File): Promise<DetectedFormat | null> {
  const head = await file.slice(0, SNIFF_BYTES).text();
  return detectFromText(head, file.name);
}
