import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { importFile } from '../../api/imports.js';
import { parseJournal, parseJournalText, type JournalEntry } from '../../importers/journal.js';
import { mapJournal, observationIdOf } from '../../importers/journal.map.js';
import { collect, ImportError, type ImportWarning, type ParsedRecord } from '../../importers/types.js';
import { detectFromText } from '../../importers/detect.js';
import { collect as collectEvents } from '../contract/suite.js';
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
    expect(records[0]?.locator).toEqual({ file: exampleJournal, line: 17, key: 'deploy:75d91ae4039e669ff20ffc59d952be4cebb871cb@2018-11-14T06:00:00.000Z' });
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
      {
        file: 'journal.yaml',
        line: 2,
        message: 'entry 1 names no kind (found "deploi", "at"); start the entry with its kind, one of change, deploy, deliver, verify, review, clear; entry 1 skipped',
      },
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
    expect(() => run('entries:\n  - deploy: a\n')).toThrow(
      new ImportError('journal.yaml', 1, 'journal.yaml:1: no "journal:" list found; a journal is a mapping with a "journal:" list of entries, see examples/journal.yaml'),
    );
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
      // verified. The third makes it suspect at once, which lets the later entry clear it.
      // The policy's events count among the appended ones and by type: two FeatureDelivered from
      // the first release and one FeatureMarkedSuspect from the third, so 8 + 3.
      expect(summary.eventTypes).toEqual({ ChangeRecorded: 3, ChangeDeployed: 3, FeatureDelivered: 2, FeatureMarkedSuspect: 1, VerificationRecorded: 1, SuspicionCleared: 1 });
      expect(summary.appended).toBe(11);

      // The policy's events carry their deployment's correlation id, which a re-import repeats.
      const events = await collectEvents(store.readAll());
      const deployments = new Map(events.filter((event) => event.type === 'ChangeDeployed').map((event) => [event.id, event.metadata.correlationId]));
      const reactions = events.filter((event) => event.type === 'FeatureDelivered' || event.type === 'FeatureMarkedSuspect');
      expect(reactions).toHaveLength(3);
      for (const reaction of reactions) expect(reaction.metadata.correlationId).toBe(deployments.get(reaction.metadata.causationId));
      expect(summary.warnings).toEqual([
        {
          file: 'journal.yaml',
          line: 26,
          message:
            'verify entry skipped: observation 1548417874 does not meet the evidence criteria of feature MKAIV-449: ' +
            'no observed target is tagged gaincal; cite an observation that does',
        },
        { file: 'journal.yaml', line: 31, message: 'verify entry skipped: observation 1999999999 not found; record its facts first or check the id' },
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

/** Returns the ImportError that `action` raises, or fails the test. */
function importErrorOf(action: () => unknown): ImportError {
  try {
    action();
  } catch (error) {
    expect(error).toBeInstanceOf(ImportError);
    return error as ImportError;
  }
  throw new Error('expected an ImportError');
}

describe('journal record keys and digests', () => {
  const deploy = 'journal:\n  - deploy: abc\n    at: 2019-01-01T00:00:00Z\n';

  it('keeps the digest when comments and layout change', () => {
    const commented = 'journal:\n  # deployed after the review\n  - {deploy: abc,   at: "2019-01-01T00:00:00Z"}   # morning\n';
    expect(run(commented).records[0]?.digest).toBe(run(deploy).records[0]?.digest);
  });

  it('changes the digest when a value changes', () => {
    expect(run(deploy.replace('T00', 'T01')).records[0]?.digest).not.toBe(run(deploy).records[0]?.digest);
  });

  it('keys entries by kind, subject and time', () => {
    const { records } = run(`${deploy}  - deploy: abc\n    at: 2019-01-02T00:00:00Z\n  - deliver: F-1\n    at: 2019-01-02T02:00:00+02:00\n  - deliver: F-1\n    at: 2019-01-02T00:00:00Z\n`);
    expect(records.map((item) => item.locator.key)).toEqual([
      'deploy:abc@2019-01-01T00:00:00.000Z',
      'deploy:abc@2019-01-02T00:00:00.000Z',
      'deliver:F-1@2019-01-02T00:00:00.000Z',
      'deliver:F-1@2019-01-02T00:00:00.000Z#2',
    ]);
  });
});

describe('journal entry kinds', () => {
  it('takes the only kind key when the first key is not one', () => {
    const { records, warnings } = run('journal:\n  - at: 2019-01-01T00:00:00Z\n    deploy: abc\n');
    expect(warnings).toEqual([]);
    expect(records[0]?.record).toEqual({ kindOfEntry: 'deploy', deploy: 'abc', at: '2019-01-01T00:00:00Z', receptors: [], hosts: [] });
  });

  it('rejects an entry naming two kinds after another key', () => {
    const { records, warnings } = run('journal:\n  - at: 2019-01-01T00:00:00Z\n    deliver: F-1\n    change: abc\n');
    expect(records).toEqual([]);
    expect(warnings[0]?.message).toBe(
      'entry 1 names several kinds (deliver, change); start the entry with its kind, one of change, deploy, deliver, verify, review, clear; entry 1 skipped',
    );
  });
});

describe('journal values', () => {
  it('asks to quote an id YAML reads as a number', () => {
    const { records, warnings } = run('journal:\n  - change: 0012345\n    at: 2019-01-01T00:00:00Z\n    by: me\n    kind: software\n    subsystem: SDP\n    components: [a]\n    summary: s\n');
    expect(records).toEqual([]);
    expect(warnings).toEqual([
      { file: 'journal.yaml', line: 2, message: 'change: must be text, but YAML read it as a number or true/false; quote it to keep it as written, e.g. change: "0012345"; entry 1 (change) skipped' },
    ]);
  });

  it('asks to quote a short hash in exponent form', () => {
    const { warnings } = run('journal:\n  - deploy: 12e4567\n    at: 2019-01-01T00:00:00Z\n');
    expect(warnings[0]?.message).toContain('e.g. deploy: "12e4567"');
  });

  it('accepts a quoted short hash', () => {
    const { records } = run('journal:\n  - deploy: "12e4567"\n    at: 2019-01-01T00:00:00Z\n');
    expect(records[0]?.record).toMatchObject({ deploy: '12e4567' });
  });

  it('accepts numeric capture block ids where observations are cited', () => {
    const { records, warnings } = run('journal:\n  - review: 1548417874\n    at: 2019-01-28T08:00:00Z\n    by: me\n    level: inspected\n  - verify: F-1\n    at: 2019-01-28T09:00:00Z\n    by: me\n    outcome: passed\n    observations: [1548417874, 20190308-0083]\n');
    expect(warnings).toEqual([]);
    expect(records[0]?.record).toMatchObject({ review: '1548417874' });
    expect(records[1]?.record).toMatchObject({ observations: ['1548417874', '20190308-0083'] });
  });

  it('words a number in a text field', () => {
    const { warnings } = run('journal:\n  - clear: F-1\n    at: 2019-01-01T00:00:00Z\n    by: 42\n    justification: true\n');
    expect(warnings.map((warning) => warning.message)).toEqual([
      'by: must be text, but YAML read it as a number or true/false; quote it to keep it as written, e.g. by: "42"; entry 1 (clear) skipped',
      'justification: must be text, but YAML read it as a number or true/false; quote it to keep it as written, e.g. justification: "true"; entry 1 (clear) skipped',
    ]);
  });

  it('rejects a time beyond 2200 with its line', () => {
    const { records, warnings } = run('journal:\n  - deploy: abc\n    at: 9999-12-31T23:59:59-14:00\n');
    expect(records).toEqual([]);
    expect(warnings).toEqual([
      { file: 'journal.yaml', line: 3, message: 'at: must be between the years 1900 and 2200 in UTC; check the year, e.g. 2019-03-07T14:00:00Z; entry 1 (deploy) skipped' },
    ]);
  });

  it.each([
    ['2019-02-30T00:00:00Z', 'February 2019 has 28 days'],
    ['2019-03-08T24:00:00Z', 'hour 24 is not used; write 00:00 of the next day'],
    ['2016-12-31T23:59:60Z', 'a leap second (:60) cannot be stored; write :59'],
  ])('names what is wrong with %s', (at, problem) => {
    expect(run(`journal:\n  - deploy: abc\n    at: ${at}\n`).warnings[0]?.message).toBe(`at: must be a time that exists (${problem}), e.g. 2019-03-07T14:00:00Z; entry 1 (deploy) skipped`);
  });

  it('rejects a time before 1900', () => {
    expect(run('journal:\n  - deploy: abc\n    at: 1899-12-31T23:59:59Z\n').warnings[0]?.message).toContain('between the years 1900 and 2200');
  });
});

describe('journal file shape', () => {
  it('rejects an empty file', () => {
    expect(importErrorOf(() => run('# nothing yet\n')).message).toBe(
      'journal.yaml:1: the file is empty; a journal is a mapping with a "journal:" list of entries, see examples/journal.yaml',
    );
  });

  it('rejects a journal key without entries', () => {
    const error = importErrorOf(() => run('# history\njournal:\n'));
    expect(error.line).toBe(2);
    expect(error.message).toBe('journal.yaml:2: "journal:" lists no entries; add at least one under it, see examples/journal.yaml');
  });

  it('rejects a top-level list', () => {
    expect(importErrorOf(() => run('- deploy: abc\n  at: 2019-01-01T00:00:00Z\n')).message).toContain(
      'the file is a list, but a journal is a mapping whose "journal:" key holds the list',
    );
  });

  it('names a repeated key', () => {
    const error = importErrorOf(() => run('journal:\n  - deploy: abc\n    at: 2019-01-01T00:00:00Z\n    at: 2019-01-02T00:00:00Z\n'));
    expect(error.message).toMatch(/^journal\.yaml:4: invalid YAML \(.*\); remove or rename the repeated key$/);
  });

  it('names nesting that is too deep', () => {
    const error = importErrorOf(() => run(`journal:\n  - deploy: ${'['.repeat(20_000)}${']'.repeat(20_000)}\n`));
    expect(error.message).toMatch(/; the nesting is too deep; write the lists and mappings out flatter$/);
  });
});

describe('reading journal files', () => {
  it('rejects Latin-1 text', async () => {
    const folder = tempFolder('onsky-journal-');
    try {
      const file = join(folder.path, 'journal.yaml');
      writeFileSync(file, Buffer.concat([Buffer.from('journal:\n  - clear: F-1\n    at: 2019-01-01T00:00:00Z\n    by: Ren'), Buffer.from([0xe9]), Buffer.from('\n    justification: ok\n')]));
      await expect(collect(parseJournal(file))).rejects.toThrow(
        new ImportError(file, 4, `${file}:4: the file is not valid UTF-8 (perhaps Latin-1 or Windows-1252); save it as UTF-8 and import it again`),
      );
    } finally {
      folder.remove();
    }
  });

  it('rejects a file over 2 MiB', async () => {
    const folder = tempFolder('onsky-journal-');
    try {
      const file = join(folder.path, 'journal.yaml');
      writeFileSync(file, `journal:\n${'  - deploy: abc\n    at: 2019-01-01T00:00:00Z\n'.repeat(50_000)}`);
      await expect(collect(parseJournal(file))).rejects.toThrow('limit for journals');
    } finally {
      folder.remove();
    }
  });

  it('raises a strict warning before yielding any entry', async () => {
    const folder = tempFolder('onsky-journal-');
    try {
      const file = join(folder.path, 'journal.yaml');
      writeFileSync(file, 'journal:\n  - deploy: a\n    at: 2019-01-02T00:00:00Z\n  - deploy: b\n    at: 2019-01-01T00:00:00Z\n');
      const yielded: unknown[] = [];
      await expect(
        (async () => {
          for await (const item of parseJournal(file, { strict: true })) yielded.push(item);
        })(),
      ).rejects.toThrow(/:4: entry 2 \(deploy\) at 2019-01-01T00:00:00Z is earlier/);
      expect(yielded).toEqual([]);
    } finally {
      folder.remove();
    }
  });
});

describe('detecting JSON journals', () => {
  it('finds "journal" after other keys', () => {
    expect(detectFromText('{\n  "title": "AR1 history",\n  "nested": {"journal": 1},\n  "journal": [\n    {"deploy": "abc"}\n  ]\n}\n')?.format).toBe('journal');
  });

  it('ignores "journal" inside a string value', () => {
    expect(detectFromText('{"title": "see \\"journal\\": below", "notes": "journal"}')).toBeUndefined();
    expect(detectFromText('{"title": "\\"journal\\": [", "other": {"journal": []}}')).toBeUndefined();
  });
});

describe('re-importing an edited journal', () => {
  const original = 'journal:\n  - change: rel-1\n    at: 2019-01-01T00:00:00Z\n    by: engineer\n    kind: software\n    subsystem: SDP\n    components: [katsdpcontroller]\n    summary: first release\n  - deploy: rel-1\n    at: 2019-01-02T06:00:00Z\n';

  async function withStore(test: (store: ReturnType<typeof openSqliteStore>, write: (text: string) => string) => Promise<void>): Promise<void> {
    const folder = tempFolder('onsky-journal-');
    const store = openSqliteStore(join(folder.path, 'events.sqlite'));
    try {
      await test(store, (text) => {
        writeFileSync(join(folder.path, 'journal.yaml'), text);
        return join(folder.path, 'journal.yaml');
      });
    } finally {
      await store.close();
      folder.remove();
    }
  }

  it('adds nothing for a new comment', async () => {
    await withStore(async (store, write) => {
      await importFile({ store, format: 'journal', path: write(original), fileLabel: 'journal.yaml' });
      const again = await importFile({ store, format: 'journal', path: write(`# reviewed\n${original.replace('  - deploy', '  # the morning after\n  - deploy')}`), fileLabel: 'journal.yaml' });
      expect(again.appended).toBe(0);
      expect(again.warnings).toEqual([]);
      expect(again.duplicates).toBe(2);
    });
  });

  it('skips a deployment whose scope changed', async () => {
    await withStore(async (store, write) => {
      await importFile({ store, format: 'journal', path: write(original), fileLabel: 'journal.yaml' });
      const edited = await importFile({ store, format: 'journal', path: write(`${original}    subarray: array_1\n`), fileLabel: 'journal.yaml' });
      expect(edited.appended).toBe(0);
      expect(edited.duplicates).toBe(1);
      expect(edited.warnings).toHaveLength(1);
      expect(edited.warnings[0]?.line).toBe(9);
      expect(edited.warnings[0]?.message).toMatch(
        /^entry deploy:rel-1@2019-01-02T06:00:00\.000Z changed since it was imported on \d{4}-\d\d-\d\d; the log keeps what was imported, so add a new entry to record a correction$/,
      );
      const deployed = (await collectEvents(store.readAll())).filter((event) => event.type === 'ChangeDeployed');
      expect(deployed).toHaveLength(1);
    });
  });

  it('records a deployment moved in time as a new one', async () => {
    await withStore(async (store, write) => {
      await importFile({ store, format: 'journal', path: write(original), fileLabel: 'journal.yaml' });
      const moved = await importFile({ store, format: 'journal', path: write(original.replace('2019-01-02T06:00:00Z', '2019-01-02T07:00:00Z')), fileLabel: 'journal.yaml' });
      expect(moved.warnings).toEqual([]);
      const deployed = (await collectEvents(store.readAll())).filter((event) => event.type === 'ChangeDeployed');
      expect(deployed.map((event) => (event.data as { deployedAt: string }).deployedAt)).toEqual(['2019-01-02T06:00:00Z', '2019-01-02T07:00:00Z']);
    });
  });

  it('warns when a deployment cannot deliver', async () => {
    await withStore(async (store, write) => {
      const text = original.replace('    summary: first release\n', '    summary: first release\n    delivers: [NO-SUCH-1]\n');
      const summary = await importFile({ store, format: 'journal', path: write(text), fileLabel: 'journal.yaml' });
      expect(summary.warnings).toHaveLength(1);
      expect(summary.warnings[0]?.line).toBe(10);
      expect(summary.warnings[0]?.message).toMatch(/^the deployment of change rel-1 could not update a feature: .*NO-SUCH-1.*; import the plan that proposes it, then import this file again$/);
    });
  });

  it('counts a rejected entry as no duplicate', async () => {
    await withStore(async (store, write) => {
      const summary = await importFile({ store, format: 'journal', path: write('journal:\n  - clear: NO-SUCH-1\n    at: 2019-01-01T00:00:00Z\n    by: lead\n    justification: not needed\n'), fileLabel: 'journal.yaml' });
      expect(summary.warnings).toHaveLength(1);
      expect(summary.warnings[0]?.message).toMatch(/^clear entry skipped: /);
      expect(summary.duplicates).toBe(0);
    });
  });

  it('stores nothing when strict and an entry is out of order', async () => {
    await withStore(async (store, write) => {
      const file = write(`${original}  - deploy: rel-1\n    at: 2018-12-01T00:00:00Z\n`);
      await expect(importFile({ store, format: 'journal', path: file, fileLabel: 'journal.yaml', strict: true })).rejects.toThrow(ImportError);
      expect(await collectEvents(store.readAll())).toEqual([]);
    });
  });

  it('names file and line of a strict rejection', async () => {
    await withStore(async (store, write) => {
      const file = write('journal:\n  - clear: NO-SUCH-1\n    at: 2019-01-01T00:00:00Z\n    by: lead\n    justification: not needed\n');
      await expect(importFile({ store, format: 'journal', path: file, fileLabel: 'journal.yaml', strict: true })).rejects.toThrow(/^journal\.yaml:2: clear entry skipped: /);
    });
  });
});
