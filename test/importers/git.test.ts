import { spawnSync } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type GitCommit, type GitRecord, parseGitJsonl, parseGitRepository, splitRefs } from '../../importers/git.js';
import { collect, ImportError, type ParsedRecord } from '../../importers/types.js';
import { fixture, memorySource } from './support.js';

function commits(records: readonly ParsedRecord<GitRecord>[]): GitCommit[] {
  return records.map((item) => item.record).filter((record): record is GitCommit => record.type === 'commit');
}

describe('parseGitJsonl on gitlog-katsdpcontroller.jsonl', () => {
  it('counts commits and merges', async () => {
    const { records, warnings } = await collect(parseGitJsonl(fixture('gitlog-katsdpcontroller.jsonl')));
    expect(warnings).toEqual([]);
    const all = commits(records);
    expect(all).toHaveLength(3613);
    expect(all.filter((commit) => commit.merge)).toHaveLength(950);
    expect(all.filter((commit) => commit.parents.length === 0)).toHaveLength(1);
  });

  it('reads the tag', async () => {
    const { records } = await collect(parseGitJsonl(fixture('gitlog-katsdpcontroller.jsonl')));
    const tags = records.filter((item) => item.record.type === 'tag');
    expect(tags.map((item) => item.record)).toEqual([{ type: 'tag', name: 'karoocamv8', hash: 'abdf54d1a03c9d5494cefafdf7303c5022c00b79', authorDate: '2014-02-14T10:34:17+02:00' }]);
    expect(tags[0]?.locator.key).toBe('tag:karoocamv8');
  });

  it('keeps author offsets', async () => {
    const { records } = await collect(parseGitJsonl(fixture('gitlog-katsdpcontroller.jsonl')));
    const head = commits(records).find((commit) => commit.hash === '1e2769f27916d04db84c017b04f4737388c07e3e');
    expect(head?.authorDate).toBe('2026-08-22T15:57:45+02:00');
    expect(head?.authorDateUtc).toBe('2026-08-22T13:57:45.000Z');
    expect(head?.branches).toEqual(['master']);
    expect(head?.subject).toBe('Merge pull request #857 from ska-sa/NGC-2071');
    const pacific = commits(records).filter((commit) => commit.authorDate.endsWith('-08:00'));
    expect(pacific).toHaveLength(6);
  });

  it('extracts ticket keys', async () => {
    const { records } = await collect(parseGitJsonl(fixture('gitlog-katsdpcontroller.jsonl')));
    const all = commits(records);
    expect(all.find((commit) => commit.hash.startsWith('dab911f7'))?.issueKeys).toEqual(['CB-1796', 'SR-714']);
    expect(all.find((commit) => commit.hash.startsWith('51e71563'))?.issueKeys).toEqual(['MKAIV-1525']);
    expect(all.find((commit) => commit.hash.startsWith('8bb2ce8d'))?.issueKeys).toEqual([]);
    expect(all.filter((commit) => commit.issueKeys.some((key) => key.startsWith('MKAIV-'))).length).toBeGreaterThanOrEqual(8);
    expect(all.filter((commit) => commit.issueKeys.some((key) => key.startsWith('SPR1-'))).length).toBeGreaterThan(0);
  });

  it('warns on broken lines', async () => {
    const text = '{"hash": "abc"}\nnot json\n\n';
    const { records, warnings } = await collect(parseGitJsonl(memorySource('bad.jsonl', text)));
    expect(records).toEqual([]);
    expect(warnings.map((warning) => warning.line)).toEqual([1, 2]);
  });
});

describe('parseGitJsonl on an edited export', () => {
  it('warns about an author date that does not exist', async () => {
    const line = JSON.stringify({ hash: 'a'.repeat(40), parents: ['b'.repeat(40), 'c'.repeat(40)], author: 'person1', author_date: '2019-02-30T10:00:00+02:00', committer: 'person1', commit_date: '2019-02-30T10:00:00+02:00', refs: '', message: 'Merge pull request #1' });
    const { records, warnings } = await collect(parseGitJsonl(memorySource('edited.jsonl', `${line}\n`)));
    expect(records).toEqual([]);
    expect(warnings.map((warning) => [warning.line, warning.message])).toEqual([
      [1, `"author_date" 2019-02-30T10:00:00+02:00 of ${'a'.repeat(40)} names no real time (February 2019 has 28 days); fix the date in the export or the repository`],
    ]);
  });
});

describe('splitRefs', () => {
  it('separates branches and tags', () => {
    expect(splitRefs('HEAD -> main, tag: v1.0, origin/main')).toEqual({ branches: ['main', 'origin/main'], tags: ['v1.0'] });
    expect(splitRefs('')).toEqual({ branches: [], tags: [] });
  });
});

describe('parseGitRepository', () => {
  let folder = '';
  const git = (...args: string[]): string => {
    const result = spawnSync('git', args, {
      cwd: folder,
      encoding: 'utf8',
      env: { ...process.env, GIT_AUTHOR_NAME: 'person1', GIT_AUTHOR_EMAIL: 'p1@example.org', GIT_COMMITTER_NAME: 'person2', GIT_COMMITTER_EMAIL: 'p2@example.org', GIT_CONFIG_GLOBAL: '/dev/null', GIT_CONFIG_NOSYSTEM: '1' },
    });
    if (result.status !== 0) throw new Error(`git ${args.join(' ')} failed: ${result.stderr}`);
    return result.stdout.trim();
  };

  beforeAll(async () => {
    folder = await mkdtemp(join(tmpdir(), 'onsky-git-'));
    git('init', '-q', '-b', 'main');
    await writeFile(join(folder, 'delay.txt'), 'v1\n');
    git('add', 'delay.txt');
    git('commit', '-q', '-m', 'Add start-delay model', '--date', '2019-03-05T16:00:00+02:00');
    git('checkout', '-q', '-b', 'fix');
    await writeFile(join(folder, 'delay.txt'), 'v2\n');
    git('commit', '-q', '-am', 'Fix 1K start delay (SR-1446)\n\nSee MKAIV-449 and capture block 1551803062.', '--date', '2019-03-06T09:30:00+02:00');
    git('checkout', '-q', 'main');
    await writeFile(join(folder, 'other.txt'), 'x\n');
    git('add', 'other.txt');
    git('commit', '-q', '-m', 'Unrelated change', '--date', '2019-03-06T10:00:00-05:00');
    git('merge', '-q', '--no-ff', '-m', 'Merge fix into main', 'fix');
    git('tag', 'v1.0');
  });

  afterAll(async () => {
    await rm(folder, { recursive: true, force: true });
  });

  it('reads commits, merges and tags', async () => {
    const { records, warnings } = await collect(parseGitRepository(folder));
    expect(warnings).toEqual([]);
    const all = commits(records);
    expect(all).toHaveLength(4);
    expect(all.filter((commit) => commit.merge).map((commit) => commit.subject)).toEqual(['Merge fix into main']);
    expect(all[0]?.tags).toEqual(['v1.0']);
    expect(records.filter((item) => item.record.type === 'tag').map((item) => item.record)).toMatchObject([{ type: 'tag', name: 'v1.0', hash: git('rev-parse', 'v1.0') }]);
  });

  it('keeps messages, keys and offsets', async () => {
    const { records } = await collect(parseGitRepository(folder));
    const fix = commits(records).find((commit) => commit.subject.startsWith('Fix 1K'));
    expect(fix?.message).toBe('Fix 1K start delay (SR-1446)\n\nSee MKAIV-449 and capture block 1551803062.');
    expect(fix?.issueKeys).toEqual(['SR-1446', 'MKAIV-449']);
    expect(fix?.authorDate).toBe('2019-03-06T09:30:00+02:00');
    expect(fix?.authorDateUtc).toBe('2019-03-06T07:30:00.000Z');
    expect(fix?.author).toBe('person1');
    expect(fix?.committer).toBe('person2');
    const unrelated = commits(records).find((commit) => commit.subject === 'Unrelated change');
    expect(unrelated?.authorDate).toBe('2019-03-06T10:00:00-05:00');
  });

  it('gives stable digests', async () => {
    const first = await collect(parseGitRepository(folder));
    const second = await collect(parseGitRepository(folder));
    expect(first.records.map((item) => item.digest)).toEqual(second.records.map((item) => item.digest));
    expect(new Set(first.records.filter((item) => item.record.type === 'commit').map((item) => item.digest)).size).toBe(4);
  });

  it('rejects a folder without a repository', async () => {
    const empty = await mkdtemp(join(tmpdir(), 'onsky-nogit-'));
    try {
      const error = await collect(parseGitRepository(empty)).catch((caught: unknown) => caught);
      expect(error).toBeInstanceOf(ImportError);
      expect((error as ImportError).message).toContain('not a git repository');
      expect((error as ImportError).message).toContain(empty);
    } finally {
      await rm(empty, { recursive: true, force: true });
    }
  });
});
