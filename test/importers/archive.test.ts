import { describe, expect, it } from 'vitest';
import { parseArchive } from '../../importers/archive.js';
import { collect } from '../../importers/types.js';
import { fixture, memorySource } from './support.js';

describe('parseArchive on archive-search-2019-03-08.tsv', () => {
  it('reads every row', async () => {
    const { records, warnings } = await collect(parseArchive(fixture('archive-search-2019-03-08.tsv')));
    expect(warnings).toEqual([]);
    expect(records.map((item) => [item.record.scheduleBlockId, item.record.startTime, item.record.targets])).toEqual([
      ['20190308-0083', '2019-03-08T10:12:26Z', ['PKS 1934-63']],
      ['20190308-0082', '2019-03-08T09:22:53Z', ['J2322-2650']],
      ['20190308-0081', '2019-03-08T09:12:26Z', ['J1903-7051']],
      ['20190308-0080', '2019-03-08T08:59:46Z', ['J0101-6422']],
      ['20190308-0079', '2019-03-08T08:50:31Z', ['J2222-0137']],
      ['20190308-0078', '2019-03-08T08:43:46Z', ['J2241-5236']],
      ['20190308-0077', '2019-03-08T08:29:00Z', ['PKS1934-638']],
    ]);
  });

  it('reads proposals, observers and keys', async () => {
    const { records } = await collect(parseArchive(fixture('archive-search-2019-03-08.tsv')));
    const first = records[0];
    expect(first?.record).toEqual({
      proposalId: '20180306SB-02',
      scheduleBlockId: '20190308-0083',
      startTime: '2019-03-08T10:12:26Z',
      targets: ['PKS 1934-63'],
      observer: 'observer1',
      description: 'COMM-305 Generic skarab delaycal',
      issueKeys: ['COMM-305'],
    });
    expect(first?.locator).toEqual({ file: fixture('archive-search-2019-03-08.tsv'), line: 2, key: '20190308-0083' });
    expect(records.map((item) => item.record.issueKeys)).toEqual([['COMM-305'], [], [], [], [], [], ['COM-304']]);
    expect(records[6]?.record.proposalId).toBe('COM-304');
  });

  it('reads quoted CSV', async () => {
    const text = 'Proposal ID,Schedule Block,StartTime,Target/s,Observer,Description\n' + 'COM-304,20190308-0077,2019-03-08 08:29:00,"PKS1934-638, 3C286",observer1,"COM-304 flatten, then ""check"" MKAIV-449"\n';
    const { records, warnings } = await collect(parseArchive(memorySource('search.csv', text)));
    expect(warnings).toEqual([]);
    expect(records[0]?.record.targets).toEqual(['PKS1934-638', '3C286']);
    expect(records[0]?.record.description).toBe('COM-304 flatten, then "check" MKAIV-449');
    expect(records[0]?.record.issueKeys).toEqual(['COM-304', 'MKAIV-449']);
  });

  it('warns on a bad row', async () => {
    const text = 'Proposal ID\tSchedule Block\tStartTime\tTarget/s\tObserver\tDescription\nX\t2019-0308\t2019-03-08 08:29:00\tT\to\td\nX\t20190308-0001\tyesterday\tT\to\td\n';
    const { records, warnings } = await collect(parseArchive(memorySource('bad.tsv', text)));
    expect(records).toEqual([]);
    expect(warnings.map((warning) => warning.line)).toEqual([2, 3]);
    expect(warnings[0]?.message).toContain('"2019-0308"');
    expect(warnings[1]?.message).toContain('"yesterday"');
  });
});
