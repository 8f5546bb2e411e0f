import { describe, expect, it } from 'vitest';
import { parseArchive } from '../../importers/archive.js';
import { parseCatalogue, TargetIndex } from '../../importers/catalogue.js';
import { parseJira } from '../../importers/jira.js';
import { parseKatdalSummary } from '../../importers/katdal.js';
import { parseObslog } from '../../importers/obslog.js';
import { parseS3Listing } from '../../importers/s3.js';
import { parseSdpmc } from '../../importers/sdpmc.js';
import { collect } from '../../importers/types.js';
import { fixture } from './support.js';

/** How far apart a capture-init and an archive StartTime may be and still be one observation. */
const SAME_OBSERVATION_SECONDS = 60;

describe('cross-source facts', () => {
  it('ties capture block 1552039941 to 20190308-0083', async () => {
    const sdp = await collect(parseSdpmc(fixture('sdpmc-array_1_0-2019-03-08.log')));
    const archive = await collect(parseArchive(fixture('archive-search-2019-03-08.tsv')));

    const started = sdp.records.map((item) => item.record).find((record) => record.type === 'capture-block-started');
    const captureBlockId = started?.type === 'capture-block-started' ? started.captureBlockId : '';
    expect(captureBlockId).toBe('1552039941');
    // A capture block id is the Unix time of its capture-init.
    const captureInit = Number(captureBlockId) * 1000;
    expect(new Date(captureInit).toISOString()).toBe('2019-03-08T10:12:21.000Z');

    const matches = archive.records.filter((item) => Math.abs(Date.parse(item.record.startTime) - captureInit) <= SAME_OBSERVATION_SECONDS * 1000);
    expect(matches.map((item) => item.record.scheduleBlockId)).toEqual(['20190308-0083']);
    expect((Date.parse(matches[0]?.record.startTime ?? '') - captureInit) / 1000).toBe(5);
  });

  it('ties the archive target to the bandpass calibrator', async () => {
    const index = new TargetIndex();
    for (const item of (await collect(parseCatalogue(fixture('catalogue-lband-bandpass-calibrators.csv')))).records) index.add(item.record);
    const archive = await collect(parseArchive(fixture('archive-search-2019-03-08.tsv')));
    const delaycal = archive.records.find((item) => item.record.scheduleBlockId === '20190308-0083')?.record;
    const flatten = archive.records.find((item) => item.record.scheduleBlockId === '20190308-0077')?.record;
    expect(index.sameTarget(delaycal?.targets[0] ?? '', flatten?.targets[0] ?? '')).toBe(true);
    expect(index.hasTag(delaycal?.targets[0] ?? '', 'bpcal')).toBe(true);
  });

  it('ties the katdal summary to the capture block time', async () => {
    const { records } = await collect(parseKatdalSummary(fixture('katdal-summary-1548417874.txt')));
    const dataset = records[0]?.record;
    const captureInit = Number(dataset?.captureBlockId) * 1000;
    const start = Date.parse(dataset?.start ?? '');
    expect(start - captureInit).toBeGreaterThanOrEqual(0);
    expect(start - captureInit).toBeLessThan(SAME_OBSERVATION_SECONDS * 1000);
  });

  it('ties obslog and s3 by capture block', async () => {
    const log = await collect(parseObslog(fixture('obslog-1551803062.log')));
    const listing = await collect(parseS3Listing(fixture('s3-listing-1551803062.txt')));
    const fromLog = log.records.find((item) => item.record.type === 'capture-block')?.record.captureBlockId;
    const fromS3 = listing.records.find((item) => item.record.type === 'bucket')?.record.captureBlockId;
    expect(fromLog).toBe('1551803062');
    expect(fromS3).toBe(fromLog);
  });

  it('ties the Jira export to both', async () => {
    const { records } = await collect(parseJira(fixture('jira-export-commissioning.csv')));
    const mentions = records.flatMap((item) => item.record.mentions.map((mention) => mention.value));
    expect(mentions).toContain('1552039941');
    expect(mentions).toContain('20190308-0083');
  });
});
