/**
 * Engineering changes from git history, read either from a local repository (`git log` run
 * without a shell, its output streamed) or from a JSON-lines export with one commit per line:
 * hash, parents, author, author_date, committer, commit_date, refs, message. Author dates keep
 * their UTC offsets; Jira-style keys in messages (SR-1446, MKAIV-449) are extracted.
 */
import { spawn } from 'node:child_process';
import { calendarProblem } from '../domain/index.js';
import { type LineHandler, parseLinesWith } from './driver.js';
import type { TextLine } from './lines.js';
import { findIssueKeys } from './mentions.js';
import { preview } from './obslog.js';
import { applyStrictness, ImportError, type Parsed, type ParseOptions, record, sha256, warning } from './types.js';

export interface GitCommit {
  readonly type: 'commit';
  readonly hash: string;
  readonly parents: readonly string[];
  /** True for a commit with more than one parent. */
  readonly merge: boolean;
  readonly author: string;
  /** ISO 8601 with the author's UTC offset, as git recorded it. */
  readonly authorDate: string;
  /** The same instant in UTC. */
  readonly authorDateUtc: string;
  readonly committer: string;
  readonly commitDate: string;
  readonly branches: readonly string[];
  readonly tags: readonly string[];
  readonly subject: string;
  readonly message: string;
  readonly issueKeys: readonly string[];
}

export interface GitTag {
  readonly type: 'tag';
  readonly name: string;
  readonly hash: string;
  readonly authorDate: string;
}

export type GitRecord = GitCommit | GitTag;

const HASH = /^[0-9a-f]{40}(?:[0-9a-f]{24})?$/;
const ISO_WITH_OFFSET = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d+)?(?:Z|[+-]\d\d:\d\d)$/;

/** Fields of one commit, as both input modes deliver them. */
interface RawCommit {
  readonly hash: unknown;
  readonly parents: unknown;
  readonly author: unknown;
  readonly author_date: unknown;
  readonly committer: unknown;
  readonly commit_date: unknown;
  readonly refs: unknown;
  readonly message: unknown;
}

/** Builds a commit from raw fields, or returns what is wrong with them. */
export function commitFromFields(raw: RawCommit): GitCommit | string {
  const { hash, parents, author, author_date: authorDate, committer, commit_date: commitDate, refs, message } = raw;
  if (typeof hash !== 'string' || !HASH.test(hash)) return `"hash" ${preview(JSON.stringify(hash) ?? 'undefined', 50)} is not a full commit hash`;
  if (!Array.isArray(parents) || !parents.every((parent) => typeof parent === 'string' && HASH.test(parent))) return `"parents" of ${hash} is not a list of commit hashes`;
  if (typeof authorDate !== 'string' || !ISO_WITH_OFFSET.test(authorDate) || Number.isNaN(Date.parse(authorDate))) {
    return `"author_date" of ${hash} is not an ISO 8601 time with offset such as 2019-03-05T16:24:22+02:00`;
  }
  // Date.parse moves 30 February to 2 March without a word, so the fields are checked first.
  const problem = calendarProblem(authorDate);
  if (problem !== undefined) {
    return `"author_date" ${authorDate} of ${hash} names no real time (${problem}); fix the date in the export or the repository`;
  }
  if (typeof commitDate !== 'string' || !ISO_WITH_OFFSET.test(commitDate)) return `"commit_date" of ${hash} is not an ISO 8601 time with offset`;
  if (typeof author !== 'string' || typeof committer !== 'string' || typeof message !== 'string' || typeof refs !== 'string') {
    return `"author", "committer", "refs" and "message" of ${hash} must be strings`;
  }

  const { branches, tags } = splitRefs(refs);
  return {
    type: 'commit',
    hash,
    parents: parents as string[],
    merge: parents.length > 1,
    author,
    authorDate,
    authorDateUtc: new Date(authorDate).toISOString(),
    committer,
    commitDate,
    branches,
    tags,
    subject: message.split('\n', 1)[0] ?? '',
    message,
    issueKeys: findIssueKeys(message),
  };
}

/** Splits git's decoration (`HEAD -> master, tag: v1.2, origin/main`) into branches and tags. */
export function splitRefs(refs: string): { branches: string[]; tags: string[] } {
  const branches: string[] = [];
  const tags: string[] = [];
  for (const ref of refs.split(',').map((item) => item.trim())) {
    if (ref === '' || ref === 'HEAD') continue;
    if (ref.startsWith('tag: ')) tags.push(ref.slice('tag: '.length));
    else if (ref.startsWith('HEAD -> ')) branches.push(ref.slice('HEAD -> '.length));
    else branches.push(ref);
  }
  return { branches, tags };
}

function withTags(commit: GitCommit, file: string, locator: { line?: number }, digest: string | { readonly text: string }): Parsed<GitRecord>[] {
  const items: Parsed<GitRecord>[] = [record<GitRecord>(commit, { file, ...locator, key: commit.hash }, digest)];
  for (const name of commit.tags) {
    items.push(record<GitRecord>({ type: 'tag', name, hash: commit.hash, authorDate: commit.authorDate }, { file, ...locator, key: `tag:${name}` }, digest));
  }
  return items;
}

/** Reads a JSON-lines commit export; a malformed line becomes a warning. */
export function parseGitJsonl(source: Parameters<typeof parseLinesWith>[0], options: ParseOptions = {}): AsyncGenerator<Parsed<GitRecord>> {
  const file = typeof source === 'string' ? source : source.file;
  const handler: LineHandler<GitRecord> = {
    line(line: TextLine, out: Parsed<GitRecord>[]): void {
      if (line.text.trim() === '') return;
      let raw: unknown;
      try {
        raw = JSON.parse(line.text);
      } catch (error) {
        out.push(warning(file, line.line, `invalid JSON (${(error as Error).message}); each line must hold one commit object`));
        return;
      }
      if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
        out.push(warning(file, line.line, 'line is not a JSON object with hash, parents, author, author_date, committer, commit_date, refs and message'));
        return;
      }
      const commit = commitFromFields(raw as RawCommit);
      if (typeof commit === 'string') out.push(warning(file, line.line, commit));
      else out.push(...withTags(commit, file, { line: line.line }, line.lazyDigest()));
    },
    end(): void {},
  };
  return parseLinesWith(source, options, handler);
}

/** Field and record separators for `git log`: control characters that commit messages do not contain. */
const FIELD_SEPARATOR = '\u001f';
const GIT_FORMAT = ['%H', '%P', '%an', '%aI', '%cn', '%cI', '%D', '%B'].join('%x1f');

export interface GitRepositoryOptions extends ParseOptions {
  /** Extra revision arguments for `git log` (default `--all`), e.g. `['v1.0..main']`. */
  readonly revisions?: readonly string[];
  /** Cap on one commit's log output in bytes; default 8 MiB. */
  readonly maxCommitBytes?: number;
}

/**
 * Runs `git log` in a local repository and yields its commits newest first, streaming git's
 * output. Raises `ImportError` when git is missing or the path is not a repository.
 */
export function parseGitRepository(repository: string, options: GitRepositoryOptions = {}): AsyncGenerator<Parsed<GitRecord>> {
  return applyStrictness(readRepository(repository, options), options.strict);
}

async function* readRepository(repository: string, options: GitRepositoryOptions): AsyncGenerator<Parsed<GitRecord>> {
  const maxCommitBytes = options.maxCommitBytes ?? 8 * 1024 * 1024;
  const args = ['-C', repository, '-c', 'log.showSignature=false', 'log', '--date-order', '-z', `--format=${GIT_FORMAT}`, ...(options.revisions ?? ['--all'])];
  const child = spawn('git', args, { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, GIT_PAGER: 'cat', LC_ALL: 'C' } });

  let stderr = '';
  child.stderr.setEncoding('utf8');
  child.stderr.on('data', (text: string) => {
    if (stderr.length < 4096) stderr += text;
  });
  const exit = new Promise<{ code: number | null; error?: Error }>((resolve) => {
    child.on('error', (error) => resolve({ code: null, error }));
    child.on('close', (code) => resolve({ code }));
  });

  let pending: Buffer[] = [];
  let pendingBytes = 0;
  let count = 0;
  let skipping = false;
  try {
    for await (const chunk of child.stdout as AsyncIterable<Buffer>) {
      let position = 0;
      for (let nul = chunk.indexOf(0, position); nul >= 0; nul = chunk.indexOf(0, position)) {
        const bytes = Buffer.concat([...pending, chunk.subarray(position, nul)]);
        pending = [];
        pendingBytes = 0;
        position = nul + 1;
        count += 1;
        if (skipping) skipping = false;
        else yield* commitItems(bytes, repository, count);
      }
      const rest = chunk.subarray(position);
      if (skipping || pendingBytes + rest.length > maxCommitBytes) {
        if (!skipping) yield warning(repository, count + 1, `commit number ${count + 1} in git log order has more than ${maxCommitBytes} bytes of log output and was skipped`);
        skipping = true;
        pending = [];
        pendingBytes = 0;
      } else if (rest.length > 0) {
        pending.push(Buffer.from(rest));
        pendingBytes += rest.length;
      }
    }
  } finally {
    if (child.exitCode === null) child.kill();
  }

  const result = await exit;
  if (result.error !== undefined) {
    throw new ImportError(repository, undefined, `could not run git for ${repository} (${result.error.message}); install git or import a JSON-lines export instead`);
  }
  if (result.code !== 0) {
    throw new ImportError(repository, undefined, `git log failed in ${repository}: ${stderr.trim() || `exit code ${result.code}`}; pass the path of a git working tree or bare repository`);
  }
  if (pendingBytes > 0 && !skipping) yield* commitItems(Buffer.concat(pending), repository, count + 1);
}

/** Builds the items of one `git log` record; its locator line is the commit's 1-based position in log order. */
function commitItems(bytes: Buffer, repository: string, position: number): Parsed<GitRecord>[] {
  const text = bytes.toString('utf8').replace(/^\n+/, '');
  const fields = text.split(FIELD_SEPARATOR);
  if (fields.length < 8) return [warning(repository, position, `git log record ${position} has ${fields.length} fields, expected 8; skipped`)];

  const [hash, parents, author, authorDate, committer, commitDate, refs, ...message] = fields;
  const commit = commitFromFields({
    hash,
    parents: (parents ?? '').split(' ').filter((parent) => parent !== ''),
    author,
    author_date: authorDate,
    committer,
    commit_date: commitDate,
    refs,
    message: message.join(FIELD_SEPARATOR).replace(/\n+$/, ''),
  });
  if (typeof commit === 'string') return [warning(repository, position, commit)];
  return withTags(commit, repository, { line: position }, sha256(bytes));
}
