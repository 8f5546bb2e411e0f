import { describe, expect, it } from 'vitest';
import { parseSyslog } from '../../importers/syslog.js';
import { collect } from '../../importers/types.js';
import { fixture, memorySource } from './support.js';

describe('parseSyslog on syslog-fwr3-2019-03-03.log', () => {
  it('finds the hung-task incident', async () => {
    const { records, warnings } = await collect(parseSyslog(fixture('syslog-fwr3-2019-03-03.log')));
    expect(warnings).toEqual([]);
    const hung = records.find((item) => item.record.cause === 'hung-task');
    expect(hung?.record).toMatchObject({
      host: 'fwr3',
      severity: 'error',
      start: '2019-03-03T01:03:48Z',
      end: '2019-03-03T01:03:48Z',
      occurrences: 1,
      processes: ['xfsaild/md0:1881'],
      modules: ['raid10', 'xfs'],
      firstMessage: 'INFO: task xfsaild/md0:1881 blocked for more than 120 seconds.',
      firstLine: 2,
      lastLine: 30,
    });
    expect(hung?.record.traceFunctions.slice(0, 3)).toEqual(['__schedule', 'schedule', 'wait_barrier']);
    expect(hung?.record.traceFunctions).toContain('xfsaild');
    expect(hung?.locator).toEqual({ file: fixture('syslog-fwr3-2019-03-03.log'), line: 2, key: 'fwr3/hung-task/2019-03-03T01:03:48Z' });
  });

  it('keeps the RAID check apart', async () => {
    const { records } = await collect(parseSyslog(fixture('syslog-fwr3-2019-03-03.log')));
    expect(records.map((item) => [item.record.cause, item.record.start])).toEqual([
      ['raid-check', '2019-03-03T00:57:01Z'],
      ['hung-task', '2019-03-03T01:03:48Z'],
    ]);
  });
});

describe('parseSyslog grouping', () => {
  const hung = (time: string, host: string, task: string): string => `Mar 3 ${time} ${host} kernel: [100.0] INFO: task ${task} blocked for more than 120 seconds.`;

  it('groups lines within the window', async () => {
    const text = [hung('01:00:00', 'fwr3', 'a:1'), hung('01:02:00', 'fwr3', 'b:2'), hung('01:02:30', 'fwr4', 'd:4'), hung('01:06:00', 'fwr3', 'a:1'), hung('01:20:00', 'fwr3', 'c:3')].join('\n');
    const { records } = await collect(parseSyslog(memorySource('syslog-2019.log', text)));
    const incidents = records.map((item) => item.record);
    expect(incidents.map((incident) => [incident.host, incident.start, incident.end, incident.occurrences])).toEqual([
      ['fwr3', '2019-03-03T01:00:00Z', '2019-03-03T01:06:00Z', 3],
      ['fwr4', '2019-03-03T01:02:30Z', '2019-03-03T01:02:30Z', 1],
      ['fwr3', '2019-03-03T01:20:00Z', '2019-03-03T01:20:00Z', 1],
    ]);
    expect(incidents[0]?.processes).toEqual(['a:1', 'b:2']);
  });

  it('applies year and offset options', async () => {
    const { records } = await collect(parseSyslog(memorySource('host.log', hung('01:00:00', 'fwr3', 'a:1')), { year: 2021, utcOffsetMinutes: 120 }));
    expect(records[0]?.record.start).toBe('2021-03-02T23:00:00Z');
  });

  it('warns on foreign lines', async () => {
    const { warnings } = await collect(parseSyslog(memorySource('syslog-2019.log', 'hello world\nFoo 3 01:00:00 h k: x\n')));
    expect(warnings.map((warning) => warning.line)).toEqual([1, 2]);
  });
});
