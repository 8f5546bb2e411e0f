/**
 * Identifiers that free text (ticket summaries, commit messages, archive descriptions) mentions:
 * Jira-style issue keys, capture block ids and schedule block ids.
 */
import { isCalendarDate } from './time.js';
import { digitsAt } from '../domain/index.js';

export type MentionKind = 'issue-key' | 'capture-block' | 'schedule-block';

export interface Mention {
  readonly kind: MentionKind;
  readonly value: string;
}

/**
 * Jira-style keys such as COMM-305, MKAIV-449 or SPR1-2376: an upper-case project key and an
 * issue number without a leading zero, not glued to other words or hyphens, so that parts of
 * proposal ids (SCI-20180516-MB-05) are not taken for keys. The project key needs two letters.
 */
const ISSUE_KEY = /(?<![\w-])([A-Z][A-Z0-9]{1,9}-[1-9]\d{0,5})(?![\w-])/g;

/** Project keys that look like Jira keys but name something else (CVE-2024-34069). */
const NOT_ISSUE_PROJECTS = new Set(['CVE', 'UTF', 'ISO', 'RFC', 'SHA', 'GMT', 'UTC']);

/** Ten-digit numbers that are not part of a decimal; only those in the capture-block range below count. */
const TEN_DIGITS = /(?<!\w)(?<!\d\.)(\d{10})(?!\w)(?!\.\d)/g;

/** 2010-01-01T00:00:00Z and 2039-12-31T23:59:59Z as Unix times: capture block ids are Unix times. */
const CAPTURE_BLOCK_MIN = 1_262_304_000;
const CAPTURE_BLOCK_MAX = 2_208_988_799;

/** Schedule block ids: the date the block was made, YYYYMMDD, and a 4-digit sequence number. */
const SCHEDULE_BLOCK = /(?<![\w-])(20\d{2})(\d{2})(\d{2})-(\d{4})(?![\w-])/g;

export function findIssueKeys(text: string): string[] {
  const keys: string[] = [];
  // The shared expression's own loop: `matchAll` copies the expression on every call, and every
  // archive row's description is searched.
  ISSUE_KEY.lastIndex = 0;
  for (let match = ISSUE_KEY.exec(text); match !== null; match = ISSUE_KEY.exec(text)) {
    const key = match[1] ?? '';
    const dash = key.indexOf('-');
    // Sky positions (J2322-2650, B1934-638) and part numbers (M1000-…) have one letter and digits.
    if (upperCaseLetters(key, dash) < 2) continue;
    const project = key.slice(0, dash);
    if (!NOT_ISSUE_PROJECTS.has(project) && !keys.includes(key)) keys.push(key);
  }
  return keys;
}

/** Counts the letters A–Z among the first `end` characters of a text. */
function upperCaseLetters(text: string, end: number): number {
  let letters = 0;
  for (let at = 0; at < end; at++) {
    const code = text.charCodeAt(at);
    if (code >= 0x41 && code <= 0x5a) letters += 1;
  }
  return letters;
}

export function isCaptureBlockId(value: string | number): boolean {
  const text = String(value);
  if (!/^\d{10}$/.test(text)) return false;
  const seconds = Number(text);
  return seconds >= CAPTURE_BLOCK_MIN && seconds <= CAPTURE_BLOCK_MAX;
}

export function findCaptureBlockIds(text: string): string[] {
  const ids: string[] = [];
  for (const match of text.matchAll(TEN_DIGITS)) {
    const id = match[1] ?? '';
    if (isCaptureBlockId(id) && !ids.includes(id)) ids.push(id);
  }
  return ids;
}

export function isScheduleBlockId(value: string): boolean {
  return SCHEDULE_BLOCK_ID.test(value) && isCalendarDate(digitsAt(value, 0, 4), digitsAt(value, 4, 2), digitsAt(value, 6, 2));
}

/** A whole schedule block id: YYYYMMDD (the year from 2000), a dash and four digits. */
const SCHEDULE_BLOCK_ID = /^20\d{6}-\d{4}$/;

export function findScheduleBlockIds(text: string): string[] {
  const ids: string[] = [];
  for (const match of text.matchAll(SCHEDULE_BLOCK)) {
    if (!isCalendarDate(Number(match[1]), Number(match[2]), Number(match[3]))) continue;
    const id = match[0];
    if (!ids.includes(id)) ids.push(id);
  }
  return ids;
}

/** Finds every issue key, capture block id and schedule block id in the text, each once. */
export function findMentions(text: string): Mention[] {
  return [
    ...findCaptureBlockIds(text).map((value): Mention => ({ kind: 'capture-block', value })),
    ...findScheduleBlockIds(text).map((value): Mention => ({ kind: 'schedule-block', value })),
    ...findIssueKeys(text).map((value): Mention => ({ kind: 'issue-key', value })),
  ];
}
