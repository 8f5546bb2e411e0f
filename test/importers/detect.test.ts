import { describe, expect, it } from 'vitest';
import { fileURLToPath } from 'node:url';
import { detectFormat, detectFromText } from '../../importers/detect.js';
import { fixture } from './support.js';

describe('detectFormat', () => {
  const cases: [string, string][] = [
    ['obslog-1551803062.log', 'obslog'],
    ['obslog-museek-2023-07-11.log', 'obslog'],
    ['sdpmc-array_1_0-2019-03-08.log', 'sdpmc'],
    ['archive-search-2019-03-08.tsv', 'archive'],
    ['katdal-summary-1548417874.txt', 'katdal'],
    ['s3-listing-1551803062.txt', 's3'],
    ['jira-issue-DEMO-2719.json', 'jira'],
    ['jira-export-commissioning.csv', 'jira'],
    ['gitlog-katsdpcontroller.jsonl', 'git'],
    ['catalogue-ar1-cals.csv', 'catalogue'],
    ['catalogue-lband-bandpass-calibrators.csv', 'catalogue'],
    ['catalogue-lband-gain-calibrators.csv', 'catalogue'],
    ['syslog-fwr3-2019-03-03.log', 'syslog'],
  ];

  it.each(cases)('detects %s as %s', async (name, format) => {
    expect((await detectFormat(fixture(name)))?.format).toBe(format);
  });

  it('detects the example plan', async () => {
    expect((await detectFormat(fileURLToPath(new URL('../../examples/plan.yaml', import.meta.url))))?.format).toBe('plan');
  });

  it('returns nothing for prose', async () => {
    expect(await detectFormat(fixture('requirement-gain-stability.txt'))).toBeUndefined();
  });
});

describe('detectFromText', () => {
  it('falls back to the file name', () => {
    expect(detectFromText('', '/data/obslog-new.log')).toEqual({ format: 'obslog', reason: 'the file name "obslog-new.log"' });
  });

  it('prefers content over the name', () => {
    expect(detectFromText('Mar 3 00:57:01 fwr3 kernel: [1.0] md: data-check\n', 'obslog.log')?.format).toBe('syslog');
  });
});
