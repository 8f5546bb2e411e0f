import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { importFile } from '../../api/imports.js';
import { parseJournal, parseJournalText, type JournalEntry } from '../../importers/journal.js';
import { mapJournal, observationIdOf } from '../../importers/journal.map.js';
import { collect, type ImportWarning, type ParsedRecord } from '../../importers/types.js';
import { startProjections } from '../../projections/index.js';
import { openSqliteStore } from '../../store/sqlite.js';
import { tempFolder } from '../support/temp.js';
import { fixture } from './support.js';

const exampleJournal = fileURLToPath(new URL('../../examples/journal.yaml', import.meta.url));

function run(text: string): { records: ParsedRecord<JournalEntry>[]; warnings: ImportWarning[] } {
  const records: ParsedRecord<JournalEntry>[] = [];
  const warnings: ImportWarning[] = [];
  for (const item of parseJournalText('journal.yaml', text)) {
    if (item.kind === 'record') records.push(item);
    else warnings.push(item.warning);
  }
  return { records, warnings };
}

describe('parseJournal on examples/journal.yaml', () => {
  it('reads the entries in order', async () => {
    const { records, warnings } = await collect(parseJournal(exampleJournal));
    expect(warnings).toEqual([]);
    expect(records.map((item) => item.record.kindOfEntry)).toEqual([
      'deploy', 'deliver', 'deploy', 'deliver', 'review', 'verify', 'verify', 'deploy',
      'deploy', 'deliver', 'review', 'change', 'deploy', 'review', 'verify',
    ]);
    expect(records[0]?.locator).toEqual({ file: exampleJournal, line: 17, key: 'deploy:75d91ae4039e669ff20ffc59d952be4cebb871cb@2018-11-14T06:00:00Z' });
  });

  it('reads a verification with its evidence and metrics', async () => {
    const { records } = await collect(parseJournal(exampleJournal));
    const verification = records.find((item) => item.record.kindOfEntry === 'verify' && item.record.verify === 'SDP-L0-ARCHIVE')?.record;
    expect(verification).toMatchObject({
      at: '2019-01-28T09:00:00Z',
      by: 'commissioning lead',
      outcome: 'passed',
      // YAML reads the unquoted capture block id as a number; the journal keeps ids as text.
      observations: ['1548417874'],
      metrics: [{ name: 'dumps read back', value: 29, unit: 'dumps' }],
    });
  });
});

describe('parseJournalText', () => {
  it('takes the kind from the first key', () => {
    const { records, warnings } = run('journal:\n  - deliver: MKAIV-449\n    change: abc\n    at: 2019-01-01T00:00:00Z\n');
    expect(warnings).toEqual([]);
    expect(records[0]?.record).toEqual({ kindOfEntry: 'deliver', deliver: 'MKAIV-449', change: 'abc', at: '2019-01-01T00:00:00Z' });
  });

  it('names the line of an unknown kind and goes on', () => {
    const { records, warnings } = run('journal:\n  - deploi: abc\n    at: 2019-01-01T00:00:00Z\n  - deploy: abc\n    at: 2019-01-02T00:00:00Z\n');
    expect(records.map((item) => item.locator.line)).toEqual([4]);
    expect(warnings).toEqual([
      { file: 'journal.yaml', line: 2, message: 'entry 1 must start with one of change, deploy, deliver, verify, review, clear (found "deploi"); entry 1 skipped' },
    ]);
  });

  it('names the field and line of a bad value', () => {
    const text = 'journal:\n  - verify: MKAIV-449\n    at: 2019-01-28T09:30:00Z\n    by: lead\n    outcome: pass\n';
    const { records, warnings } = run(text);
    expect(records).toEqual([]);
    expect(warnings).toHaveLength(1);
    expect(warnings[0]?.line).toBe(5);
    expect(warnings[0]?.message).toBe('outcome: must be one of passed, failed, inconclusive; entry 1 (verify) skipped');
  });

  it('rejects a time without a zone', () => {
    const { warnings } = run('journal:\n  - deploy: abc\n    at: 2019-01-01 10:00\n');
    expect(warnings[0]?.line).toBe(3);
    expect(warnings[0]?.message).toContain('must be an ISO 8601 time with a zone');
  });

  it('rejects an unknown field, naming it', () => {
    const { warnings } = run('journal:\n  - deploy: abc\n    at: 2019-01-01T00:00:00Z\n    whenn: today\n');
    expect(warnings).toHaveLength(1);
    expect(warnings[0]?.message).toContain('whenn');
  });

  it('warns about an entry out of time order but keeps it', () => {
    const { records, warnings } = run('journal:\n  - deploy: a\n    at: 2019-01-02T00:00:00Z\n  - deploy: b\n    at: 2019-01-01T00:00:00Z\n');
    expect(records).toHaveLength(2);
    expect(warnings).toEqual([
      {
        file: 'journal.yaml',
        line: 4,
        message: 'entry 2 (deploy) at 2019-01-01T00:00:00Z is earlier than the entry on line 2; list entries in time order, because each is applied in turn',
      },
    ]);
  });

  it('accepts JSON', () => {
    const { records, warnings } = run('{"journal": [{"review": "1548417874", "at": "2019-01-28T08:00:00Z", "by": "me", "level": "imaged"}]}');
    expect(warnings).toEqual([]);
    expect(records[0]?.record).toMatchObject({ kindOfEntry: 'review', review: '1548417874', level: 'imaged' });
  });

  it('says what a journal looks like when the list is missing', () => {
    const { warnings } = run('entries:\n  - deploy: a\n');
    expect(warnings[0]?.message).toBe('a journal must be a mapping with a "journal:" list of entries; see examples/journal.yaml');
  });
});

describe('mapJournal', () => {
  const map = (text: string) => {
    const mapper = mapJournal({ actor: 'tester', importedAt: '2026-01-01T00:00:00Z' });
    return run(text).records.flatMap((record) => mapper(record));
  };

  it('stores times in UTC and names schedule blocks as their streams do', () => {
    const [review] = map('journal:\n  - review: 20190308-0083\n    at: 2019-03-08T14:00:00+02:00\n    by: qa\n    level: automated-qa\n');
    expect(review?.stream).toBe('observation-sb-20190308-0083');
    expect(review?.command).toEqual({
      type: 'ReviewObservation',
      data: { observationId: 'sb-20190308-0083', level: 'automated-qa', reviewer: 'qa', reviewedAt: '2019-03-08T12:00:00Z' },
    });
  });

  it('gives a verification the same id on every import', () => {
    const text = 'journal:\n  - verify: MKAIV-449\n    at: 2019-01-28T09:30:00Z\n    by: lead\n    outcome: inconclusive\n';
    const [first] = map(text);
    const [second] = map(text);
    expect(first?.command.type).toBe('RecordVerification');
    expect(first?.command).toEqual(second?.command);
    expect(first?.commandId).toBe(second?.commandId);
  });

  it('reads capture blocks, schedule blocks and other ids', () => {
    expect(observationIdOf('1552039941')).toBe('1552039941');
    expect(observationIdOf('20190308-0083')).toBe('sb-20190308-0083');
    expect(observationIdOf('sb-20190308-0083')).toBe('sb-20190308-0083');
  });
});

describe('importing a journal', () => {
  const plan = `features:
  - key: SDP-L0-ARCHIVE
    title: L0 visibilities archived
    subsystem: SDP
    components: [katsdpcontroller]
    wsjf: { businessValue: 8, timeCriticality: 5, riskReduction: 8, jobSize: 3, verificationEffort: 2 }
    criteria: { band: L, minReceptors: 4, minOnTargetMinutes: 3, scanKind: track }
  - key: MKAIV-449
    title: Three-calibrator imaging
    subsystem: SDP
    components: [sdp.cal]
    wsjf: { businessValue: 13, timeCriticality: 5, riskReduction: 8, jobSize: 8, verificationEffort: 8 }
    criteria: { band: L, targetTags: [bpcal, gaincal] }
`;
  const history = `journal:
  - change: sdp-release-1
    at: 2018-12-01T00:00:00Z
    by: engineer
    kind: software
    subsystem: SDP
    components: [katsdpcontroller]
    summary: data writer buffering
    delivers: [SDP-L0-ARCHIVE, MKAIV-449]
  - deploy: sdp-release-1
    at: 2018-12-12T06:00:00Z
  - change: sdp-release-2
    at: 2019-01-26T00:00:00Z
    by: engineer
    kind: software
    subsystem: SDP
    components: [katsdpcontroller]
    summary: bigger chunks
  - deploy: sdp-release-2
    at: 2019-01-27T06:00:00Z
  - verify: SDP-L0-ARCHIVE
    at: 2019-01-28T09:00:00Z
    by: lead
    outcome: passed
    observations: [1548417874]
  - verify: MKAIV-449
    at: 2019-01-28T09:30:00Z
    by: lead
    outcome: passed
    observations: [1548417874]
  - verify: MKAIV-449
    at: 2019-01-28T09:40:00Z
    by: lead
    outcome: failed
    observations: [1999999999]
  - change: sdp-release-3
    at: 2019-02-01T00:00:00Z
    by: engineer
    kind: configuration
    subsystem: SDP
    components: [katsdpcontroller]
    summary: dashboard colours
  - deploy: sdp-release-3
    at: 2019-02-01T06:00:00Z
  - clear: SDP-L0-ARCHIVE
    at: 2019-02-02T00:00:00Z
    by: lead
    justification: The dashboard does not touch the data writers.
`;

  it('decides each entry against the log as it was at that entry', async () => {
    const folder = tempFolder('onsky-journal-');
    const store = openSqliteStore(join(folder.path, 'events.sqlite'));
    const projections = startProjections(store);
    try {
      writeFileSync(join(folder.path, 'plan.yaml'), plan);
      writeFileSync(join(folder.path, 'journal.yaml'), history);
      await importFile({ store, format: 'catalogue', path: fixture('catalogue-lband-bandpass-calibrators.csv') });
      await importFile({ store, format: 'plan', path: join(folder.path, 'plan.yaml') });
      await importFile({ store, format: 'katdal', path: fixture('katdal-summary-1548417874.txt') });
      const summary = await importFile({ store, format: 'journal', path: join(folder.path, 'journal.yaml'), fileLabel: 'journal.yaml' });

      // The second release was deployed before the verification, so it leaves the feature
      // verified; the third makes it suspect at once, so the suspicion can be cleared after it.
      expect(summary.eventTypes).toEqual({ ChangeRecorded: 3, ChangeDeployed: 3, VerificationRecorded: 1, SuspicionCleared: 1 });
      // The policy's events count among the appended ones: two FeatureDelivered from the first
      // release and one FeatureMarkedSuspect from the third, so 8 + 3.
      expect(summary.appended).toBe(11);
      expect(summary.warnings).toEqual([
        {
          file: 'journal.yaml',
          line: 26,
          message:
            'RecordVerification rejected: observation 1548417874 does not meet the evidence criteria of feature MKAIV-449: ' +
            'no observed target is tagged gaincal; cite an observation that does',
        },
        { file: 'journal.yaml', line: 31, message: 'RecordVerification rejected: observation 1999999999 not found; record its facts first or check the id' },
      ]);

      await projections.ready;
      const deadline = Date.now() + 10_000;
      while (projections.query.featureBoard('2019-02-01T00:00:00Z').find((entry) => entry.featureKey === 'SDP-L0-ARCHIVE')?.status !== 'verified') {
        if (Date.now() > deadline) throw new Error('SDP-L0-ARCHIVE never showed as verified');
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
      const board = projections.query.featureBoard('2019-02-01T00:00:00Z');
      expect(board.find((entry) => entry.featureKey === 'SDP-L0-ARCHIVE')?.evidenceObservationIds).toEqual(['1548417874']);
      expect(board.find((entry) => entry.featureKey === 'MKAIV-449')?.status).toBe('delivered');

      const again = await importFile({ store, format: 'journal', path: join(folder.path, 'journal.yaml'), fileLabel: 'journal.yaml' });
      expect(again.appended).toBe(0);
    } finally {
      await projections.close();
      await store.close();
      folder.remove();
    }
  });
});
