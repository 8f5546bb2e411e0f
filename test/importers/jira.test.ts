import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { jiraCsvTime, parseJira, parseJiraJson } from '../../importers/jira.js';
import { collect, ImportError, sha256 } from '../../importers/types.js';
import { readFileSync } from 'node:fs';
import { fixture, memorySource } from './support.js';

describe('parseJira on jira-issue-DEMO-2719.json', () => {
  it('reads the issue', async () => {
    const { records, warnings } = await collect(parseJira(fixture('jira-issue-DEMO-2719.json')));
    expect(warnings).toEqual([]);
    expect(records).toHaveLength(1);
    const issue = records[0]?.record;
    expect(issue?.key).toBe('DEMO-2719');
    expect(issue?.id).toBe('303853');
    expect(issue?.summary).toBe('REST ye merry gentlemen.');
    expect(issue?.issueType).toBe('New Feature');
    expect(issue?.status).toBe('Open');
    expect(issue?.priority).toBe('Minor');
    expect(issue?.created).toBe('2013-10-26T20:06:23.853Z');
    expect(issue?.updated).toBe('2013-12-08T11:00:43.133Z');
    expect(issue?.reporter).toBe('Person Two');
    expect(records[0]?.locator.key).toBe('DEMO-2719');
    expect(records[0]?.digest).toBe(sha256(readFileSync(fixture('jira-issue-DEMO-2719.json'))));
  });

  it('keeps link direction and wording', async () => {
    const { records } = await collect(parseJira(fixture('jira-issue-DEMO-2719.json')));
    expect(records[0]?.record.links).toEqual([
      { direction: 'outward', type: 'Detail', wording: 'details', key: 'DEMO-2717' },
      { direction: 'outward', type: 'Reference', wording: 'relates to', key: 'DEMO-2722' },
      { direction: 'inward', type: 'Reference', wording: 'is related to', key: 'DEMO-2718' },
    ]);
  });

  it('reads comments', async () => {
    const { records } = await collect(parseJira(fixture('jira-issue-DEMO-2719.json')));
    expect(records[0]?.record.comments).toEqual([{ author: 'Person Two', created: '2013-11-05T02:50:09.991Z', body: 'test comment' }]);
    expect(records[0]?.record.mentions).toEqual([]);
  });
});

describe('parseJira on JSON shapes', () => {
  const issue = (key: string, summary: string): object => ({ key, fields: { summary, issuelinks: [], comment: { comments: [{ body: `seen in ${summary}` }] } } });

  it('reads a search result', async () => {
    const text = JSON.stringify({ startAt: 0, total: 2, issues: [issue('MKAIV-449', 'capture block 1548417874'), issue('SR-1446', 'sb 20190308-0083')] }, null, 2);
    const { records } = await collect(parseJiraJson(memorySource('search.json', text)));
    expect(records.map((item) => item.record.key)).toEqual(['MKAIV-449', 'SR-1446']);
    expect(records[0]?.record.mentions).toEqual([
      { kind: 'capture-block', value: '1548417874', field: 'summary' },
      { kind: 'capture-block', value: '1548417874', field: 'comment' },
    ]);
    expect(records[1]?.record.mentions.map((mention) => [mention.kind, mention.value])).toEqual([
      ['schedule-block', '20190308-0083'],
      ['schedule-block', '20190308-0083'],
    ]);
    expect(records[1]?.locator.line).toBeGreaterThan(records[0]?.locator.line ?? 0);
  });

  it('reads an array and warns on a keyless issue', async () => {
    const text = JSON.stringify([issue('COMM-305', 'a'), { fields: { summary: 'no key' } }]);
    const { records, warnings } = await collect(parseJiraJson(memorySource('array.json', text)));
    expect(records.map((item) => item.record.key)).toEqual(['COMM-305']);
    expect(warnings).toHaveLength(1);
    expect(warnings[0]?.message).toContain('"key"');
  });

  it('rejects invalid JSON with its line', async () => {
    const error = await collect(parseJiraJson(memorySource('broken.json', '{\n"key": "A-1",\n"fields": {\n'))).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(ImportError);
    expect((error as ImportError).message).toContain('broken.json');
    expect((error as ImportError).message).toContain('invalid JSON');
  });

  it('rejects JSON over the size cap', async () => {
    const error = await collect(parseJiraJson(fixture('jira-issue-DEMO-2719.json'), { maxJsonBytes: 1000 })).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(ImportError);
    expect((error as ImportError).message).toContain('1000-byte limit');
    expect((error as ImportError).message).toContain('CSV export');
  });
});

describe('parseJira on jira-export-commissioning.csv', () => {
  it('reads repeated columns as lists', async () => {
    const { records, warnings } = await collect(parseJira(fixture('jira-export-commissioning.csv')));
    expect(warnings).toEqual([]);
    expect(records.map((item) => [item.record.key, item.locator.line])).toEqual([
      ['COMM-305', 2],
      ['MKAIV-449', 6],
    ]);
    const issue = records[0]?.record;
    expect(issue?.labels).toEqual(['skarab', 'delaycal']);
    expect(issue?.components).toEqual(['CBF']);
    expect(issue?.created).toBe('2019-03-08T09:05:00.000Z');
    expect(issue?.resolved).toBe('2019-03-11T14:40:00.000Z');
    expect(records[1]?.record.labels).toEqual(['imaging']);
  });

  it('keeps CSV links with wording', async () => {
    const { records } = await collect(parseJira(fixture('jira-export-commissioning.csv')));
    expect(records[0]?.record.links).toEqual([
      { direction: 'outward', type: 'Relates', wording: 'relates to', key: 'SR-1446' },
      { direction: 'outward', type: 'Relates', wording: 'relates to', key: 'COM-304' },
      { direction: 'inward', type: 'Blocks', wording: 'is blocked by', key: 'MKAIV-449' },
    ]);
  });

  it('reads the multi-line description', async () => {
    const { records } = await collect(parseJira(fixture('jira-export-commissioning.csv')));
    expect(records[0]?.record.description).toBe('Delaycal on PKS 1934-63 in schedule block 20190308-0083\n(capture block 1552039941) leaves residual delays of "several ns" on m006.\n\nSee also MKAIV-449.');
  });

  it('finds mentions per field', async () => {
    const { records } = await collect(parseJira(fixture('jira-export-commissioning.csv')));
    expect(records[0]?.record.mentions).toEqual([
      { kind: 'capture-block', value: '1552039941', field: 'description' },
      { kind: 'schedule-block', value: '20190308-0083', field: 'description' },
      { kind: 'issue-key', value: 'MKAIV-449', field: 'description' },
      { kind: 'capture-block', value: '1552039941', field: 'comment' },
      { kind: 'schedule-block', value: '20190308-0083', field: 'comment' },
    ]);
    expect(records[0]?.record.comments.map((comment) => comment.author)).toEqual(['user1', 'user2']);
    expect(records[1]?.record.mentions).toEqual([{ kind: 'capture-block', value: '1548417874', field: 'description' }]);
  });

  it('warns on an unclosed quote', async () => {
    const text = 'Summary,Issue key\n"open,SR-1\nmore\n';
    const { records, warnings } = await collect(parseJira(memorySource('open.csv', text)));
    expect(records).toEqual([]);
    expect(warnings.map((warning) => warning.line)).toEqual([2]);
    expect(warnings[0]?.message).toContain('never closed');
  });
});

describe('jiraCsvTime', () => {
  it('reads Jira export dates', () => {
    expect(jiraCsvTime('08/Mar/19 9:05 AM')).toBe('2019-03-08T09:05:00.000Z');
    expect(jiraCsvTime('08/Mar/19 12:05 AM')).toBe('2019-03-08T00:05:00.000Z');
    expect(jiraCsvTime('08/Mar/19 12:05 PM')).toBe('2019-03-08T12:05:00.000Z');
    expect(jiraCsvTime('')).toBeUndefined();
    expect(jiraCsvTime('soon')).toBeUndefined();
  });
});

describe('parseJira by content', () => {
  let folder = '';
  beforeAll(async () => {
    folder = await mkdtemp(join(tmpdir(), 'onsky-jira-'));
  });
  afterAll(async () => {
    await rm(folder, { recursive: true, force: true });
  });

  it('sniffs JSON without an extension', async () => {
    const path = join(folder, 'export');
    await writeFile(path, JSON.stringify({ key: 'SR-1446', fields: { summary: 'x' } }));
    const { records } = await collect(parseJira(path));
    expect(records.map((item) => item.record.key)).toEqual(['SR-1446']);
  });
});
