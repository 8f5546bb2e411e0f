import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { domainUpcasters } from '../../domain/upcasters.js';
import { startProjections } from '../../projections/index.js';
import { openSqliteStore } from '../../store/sqlite.js';
import { collect } from '../contract/suite.js';
import { runCli } from '../support/cli.js';
import { tempFolder } from '../support/temp.js';

let folder: ReturnType<typeof tempFolder>;
let data: string;

beforeEach(() => {
  folder = tempFolder('onsky-cli-import-');
  data = join(folder.path, 'data');
});

afterEach(() => folder.remove());

interface JsonSummary {
  read: number;
  appended: number;
  duplicates: number;
  untracked: number;
  warnings: Array<{ file: string; line: number; message: string }>;
  files: Array<{ eventTypes: Record<string, number> }>;
}

async function importJson(args: string[]): Promise<JsonSummary> {
  const result = await runCli(['import', ...args, '--data', data, '--json']);
  expect(result.stderr).toBe('');
  expect(result.code).toBe(0);
  return JSON.parse(result.stdout) as JsonSummary;
}

async function streams(): Promise<Map<string, string[]>> {
  const store = openSqliteStore(join(data, 'events.sqlite'));
  const byStream = new Map<string, string[]>();
  for (const event of await collect(store.readAll())) byStream.set(event.stream, [...(byStream.get(event.stream) ?? []), event.type]);
  await store.close();
  return byStream;
}

/** Returns a plan with one feature's entry rewritten. */
function editEntry(plan: string, featureKey: string, edit: (entry: string) => string): string {
  const start = plan.indexOf(`  - key: ${featureKey}\n`);
  const end = plan.indexOf('  - key:', start + 1);
  return plan.slice(0, start) + edit(plan.slice(start, end)) + plan.slice(end);
}

/** Business values of a feature's FeatureRescored events, in log order. */
async function rescoredBusinessValues(stream: string): Promise<number[]> {
  const store = openSqliteStore(join(data, 'events.sqlite'));
  const events = await collect(store.readStream(stream));
  await store.close();
  return events.filter((event) => event.type === 'FeatureRescored').map((event) => (event.data as { scores: { userBusinessValue: number } }).scores.userBusinessValue);
}

describe('onsky import', () => {
  it('imports an obslog once', async () => {
    const first = await importJson(['obslog', 'test/fixtures/obslog-1551803062.log']);
    // In log order: the capture block line, a sensor wait with stragglers, then the session
    // summary, so facts, an anomaly, and the summary's facts.
    expect(first.read).toBe(11);
    expect(first.appended).toBe(3);
    expect(first.warnings).toEqual([]);
    // The other eight (quorum, compound scan, tracks, offsets, scans) only feed the summary.
    expect(first.untracked).toBe(8);

    const again = await importJson(['obslog', 'test/fixtures/obslog-1551803062.log']);
    expect(again.appended).toBe(0);
    expect(again.duplicates).toBe(3);
    expect(again.untracked).toBe(8);
    expect((await streams()).get('observation-1551803062')).toEqual(['ObservationFactsRecorded', 'ObservationAnomalyNoted', 'ObservationFactsRecorded']);
    // The second import found a log to index, and kept its indexes for the next one.
    expect(existsSync(join(data, 'import-indexes.cache'))).toBe(true);
  });

  it('warns about an obslog without capture block', async () => {
    const result = await runCli(['import', 'obslog', 'test/fixtures/obslog-museek-2023-07-11.log', '--data', data]);
    expect(result.code).toBe(0);
    const [summary, warning] = result.stdout.trimEnd().split('\n');
    expect(summary).toBe('test/fixtures/obslog-museek-2023-07-11.log (obslog): 15 records read (0 already in the log, 15 with nothing to record), 0 events appended, 1 warning');
    expect(warning).toContain('  warning test/fixtures/obslog-museek-2023-07-11.log:1: no capture block id');
  });

  it('warns when a catalogue moves a known target', async () => {
    const first = join(folder.path, 'first.csv');
    const second = join(folder.path, 'second.csv');
    writeFileSync(first, 'PKS 1934-63, radec bpcal, 19:39:25.03, -63:42:45.7\n');
    writeFileSync(second, '# corrected\nPKS 1934-63 | 1934-638, radec bpcal fluxcal, 19:39:25.026, -63:42:45.63\nPKS 1934-63, radec bpcal, 19:39:25.03, -63:42:45.7\n');
    expect((await importJson(['catalogue', first])).warnings).toEqual([]);

    const summary = await importJson(['catalogue', second]);
    expect(summary.warnings).toEqual([
      {
        file: second,
        line: 2,
        message:
          'target "PKS 1934-63" is already recorded at 19:39:25.03 -63:42:45.7, but this entry gives 19:39:25.026 -63:42:45.63; ' +
          "onsky kept 19:39:25.03 -63:42:45.7 and added only this entry's aliases and tags. Correct the catalogue that is wrong",
      },
    ]);
    // The aliases and tags of the moved entry are still added.
    expect((await streams()).get('target-PKS_1934-63')).toEqual(['TargetRecorded', 'TargetUpdated']);
  });

  it('warns when one catalogue lists a target twice', async () => {
    const file = join(folder.path, 'twice.csv');
    writeFileSync(file, 'J2229-3823, radec gaincal, 22:29:46.75, -38:23:59.0\nJ2229-3823, radec gaincal, 22:29:46.75, -38:23:58.0\n');
    const summary = await importJson(['catalogue', file]);
    expect(summary.warnings.map((warning) => [warning.file, warning.line])).toEqual([[file, 2]]);
    expect(summary.warnings[0]?.message).toContain('is already recorded at 22:29:46.75 -38:23:59.0, but this entry gives 22:29:46.75 -38:23:58.0; onsky kept 22:29:46.75 -38:23:59.0');
  });

  it('reports a strict failure as JSON', async () => {
    const file = join(folder.path, 'broken.log');
    writeFileSync(file, '2019-03-05 16:24:22.230Z INFO     Capture block ID = 1551803062\nnot a log line\n');
    const result = await runCli(['import', 'obslog', file, '--strict', '--json', '--data', data]);
    expect(result.code).toBe(2);
    expect(result.stderr).toBe('');
    const output = JSON.parse(result.stdout) as { error: { file: string; line: number; message: string } };
    expect(output.error.file).toBe(file);
    expect(output.error.line).toBe(2);
    expect(output.error.message).toContain('line does not start with a UTC timestamp');
    expect((await streams()).size).toBe(0);
  });

  it('reports a usage error as JSON', async () => {
    const result = await runCli(['import', 'obslog', 'no-such-file.log', '--json', '--data', data]);
    expect(result.code).toBe(2);
    expect(result.stderr).toBe('');
    expect(JSON.parse(result.stdout)).toEqual({ error: { message: 'file no-such-file.log was not found; check the path' } });
  });

  it('links the archive to the SDP log', async () => {
    await importJson(['sdpmc', 'test/fixtures/sdpmc-array_1_0-2019-03-08.log']);
    const archive = await importJson(['archive', 'test/fixtures/archive-search-2019-03-08.tsv']);
    expect(archive.read).toBe(7);

    const byStream = await streams();
    // Schedule block 20190308-0083 started 5 s after capture block 1552039941: one observation.
    expect(byStream.has('observation-sb-20190308-0083')).toBe(false);
    expect(byStream.get('observation-1552039941')).toContain('ObservationIdentifierLinked');
    expect(byStream.has('observation-sb-20190308-0082')).toBe(true);
  });

  it('lists warnings with file and line', async () => {
    const summary = await importJson(['sdpmc', 'test/fixtures/sdpmc-array_1_0-2019-03-08.log']);
    expect(summary.warnings.length).toBeGreaterThan(0);
    for (const warning of summary.warnings) {
      expect(warning.file).toBe('test/fixtures/sdpmc-array_1_0-2019-03-08.log');
      expect(warning.line).toBeGreaterThan(0);
      expect(warning.message.length).toBeGreaterThan(10);
    }
    expect(summary.warnings.map((warning) => warning.line)).toContain(4);
  });

  it('appends nothing in a dry run', async () => {
    const result = await runCli(['import', 'plan', 'examples/plan.yaml', '--data', data, '--dry-run']);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('7 events would append');
    expect(result.stdout).toContain('7 × FeatureProposed');
    expect((await streams()).size).toBe(0);
  });

  it('names file and line of a strict rejection', async () => {
    const file = join(folder.path, 'journal.yaml');
    writeFileSync(file, 'journal:\n  - clear: NO-SUCH-1\n    at: 2019-01-01T00:00:00Z\n    by: lead\n    justification: not needed\n');
    const result = await runCli(['import', 'journal', file, '--data', data, '--strict']);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(`onsky import: ${file}:2: clear entry skipped: `);
  });

  it('rejects an empty journal with exit 2', async () => {
    const file = join(folder.path, 'journal.yaml');
    writeFileSync(file, 'journal:\n');
    const result = await runCli(['import', 'journal', file, '--data', data]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(`${file}:1: "journal:" lists no entries`);
  });

  it('lists deployment reactions in a dry run', async () => {
    await importJson(['plan', 'examples/plan.yaml']);
    const result = await runCli(['import', 'journal', 'examples/journal.yaml', '--data', data, '--dry-run']);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('× ChangeDeployed');
    expect(result.stdout).toMatch(/\d+ × FeatureDelivered\n/);
    expect(result.stdout).toMatch(/  line \d+: deploying cbf-fengine-2019-03-07: CBF-1K-START-DELAY would be delivered\n/);
  });

  it('dry-runs several files in order', async () => {
    await importJson(['plan', 'examples/plan.yaml']);
    const change = join(folder.path, 'a-change.yaml');
    const deploy = join(folder.path, 'b-deploy.yaml');
    writeFileSync(change, 'journal:\n  - change: fw-a\n    at: 2019-03-01T00:00:00Z\n    by: cbf\n    kind: firmware\n    subsystem: CBF\n    components: [cbf-fengine]\n    summary: start delay\n    delivers: [CBF-1K-START-DELAY]\n');
    writeFileSync(deploy, 'journal:\n  - deploy: fw-a\n    at: 2019-03-02T00:00:00Z\n');
    const dryRun = await importJson(['journal', change, deploy, '--dry-run']);
    expect([...(await streams()).keys()].some((stream) => stream.includes('fw-a'))).toBe(false);
    const real = await importJson(['journal', change, deploy]);
    expect(dryRun.warnings).toEqual([]);
    expect(dryRun.appended).toBe(real.appended);
    // ChangeRecorded, ChangeDeployed and the FeatureDelivered the deployment's policy adds.
    expect(real.appended).toBe(3);
  });

  it('strict journal stores nothing on error', async () => {
    await importJson(['plan', 'examples/plan.yaml']);
    const before = [...(await streams()).values()].flat().length;
    const file = join(folder.path, 'late-error.yaml');
    writeFileSync(
      file,
      'journal:\n  - change: fw-b\n    at: 2019-03-01T00:00:00Z\n    by: cbf\n    kind: firmware\n    subsystem: CBF\n    components: [cbf-fengine]\n    summary: start delay\n  - deploy: fw-b\n    at: 2019-03-02T00:00:00Z\n  - deliver: NO-SUCH-FEATURE\n    at: 2019-03-03T00:00:00Z\n    change: fw-b\n',
    );
    const result = await runCli(['import', 'journal', file, '--data', data, '--strict']);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(`${file}:11:`);
    expect([...(await streams()).values()].flat().length).toBe(before);
  });

  it('rejects a delivery by an unrecorded change', async () => {
    await importJson(['plan', 'examples/plan.yaml']);
    const file = join(folder.path, 'unrecorded.yaml');
    writeFileSync(file, 'journal:\n  - deliver: SDP-L0-ARCHIVE\n    change: sdp-unrecorded\n    at: 2018-12-12T06:00:00Z\n');
    const summary = await importJson(['journal', file]);
    expect(summary.warnings).toEqual([expect.objectContaining({ line: 2, message: 'deliver entry skipped: change sdp-unrecorded not found; record it first' })]);
    expect(summary.appended).toBe(0);
  });

  it('rejects a journal entry dated in the future', async () => {
    const file = join(folder.path, 'future.yaml');
    writeFileSync(file, 'journal:\n  - change: sdp-later\n    at: 2099-01-01T06:00:00Z\n    by: engineer\n    kind: software\n    subsystem: SDP\n    components: [katsdpcontroller]\n    summary: archive writer\n');
    const summary = await importJson(['journal', file]);
    expect(summary.appended).toBe(0);
    expect(summary.warnings).toEqual([expect.objectContaining({ line: 2, message: expect.stringMatching(/^change entry skipped: \w+ "2099-01-01T06:00:00Z" is invalid; expected a time that has passed/) })]);
  });

  it('asks for the deployment before a verification', async () => {
    await importJson(['plan', 'examples/plan.yaml']);
    const file = join(folder.path, 'undeployed.yaml');
    writeFileSync(
      file,
      'journal:\n  - change: sdp-undeployed\n    at: 2018-12-11T06:00:00Z\n    by: engineer\n    kind: software\n    subsystem: SDP\n    components: [katsdpcontroller]\n    summary: archive writer\n  - deliver: SDP-L0-ARCHIVE\n    change: sdp-undeployed\n    at: 2018-12-12T06:00:00Z\n  - verify: SDP-L0-ARCHIVE\n    at: 2019-01-28T09:00:00Z\n    by: lead\n    outcome: passed\n    observations: [1548417874]\n',
    );
    const summary = await importJson(['journal', file]);
    expect(summary.warnings).toEqual([
      expect.objectContaining({
        line: 12,
        message:
          'verify entry skipped: feature SDP-L0-ARCHIVE was delivered by change sdp-undeployed, which has no deployment in the log; record its deployment first (a deploy entry before this one, or the file that records it, such as its git history)',
      }),
    ]);
  });

  it('names empty and binary files', async () => {
    const empty = join(folder.path, 'empty.log');
    const binary = join(folder.path, 'capture.h5');
    writeFileSync(empty, '');
    writeFileSync(binary, Buffer.from([0x89, 0x48, 0x44, 0x46, 0, 0, 0, 0]));
    const auto = await runCli(['import', 'auto', empty, '--data', data]);
    expect(auto.code).toBe(2);
    expect(auto.stderr).toContain(`${empty} is empty, so there is nothing to import`);
    const autoBinary = await runCli(['import', 'auto', binary, '--data', data]);
    expect(autoBinary.code).toBe(2);
    expect(autoBinary.stderr).toContain(`${binary} is not text`);
    const named = await importJson(['obslog', empty]);
    expect(named.read).toBe(0);
    expect(named.warnings).toEqual([{ file: empty, line: 1, message: 'the file is empty, so nothing was imported; check that you named the right file' }]);
  });

  it('creates no store for a dry run', async () => {
    const result = await runCli(['import', 'plan', 'examples/plan.yaml', '--data', data, '--dry-run', '--json']);
    expect(result.code).toBe(0);
    expect(result.stderr).toContain('no store at');
    expect((JSON.parse(result.stdout) as JsonSummary).appended).toBeGreaterThan(0);
    expect(existsSync(data)).toBe(false);
  });

  it('detects a JSON journal whose first key is not journal', async () => {
    const file = join(folder.path, 'history.json');
    writeFileSync(file, JSON.stringify({ title: 'AR1 history', journal: [{ review: '1548417874', at: '2019-01-28T08:00:00Z', by: 'me', level: 'inspected' }] }, null, 2));
    const summary = await importJson(['auto', file]);
    expect(summary.read).toBe(1);
  });

  it('stops at the first warning when strict', async () => {
    const result = await runCli(['import', 'sdpmc', 'test/fixtures/sdpmc-array_1_0-2019-03-08.log', '--data', data, '--strict']);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/sdpmc-array_1_0-2019-03-08\.log/);
    expect(result.stderr).not.toContain('    at ');
  });

  it('detects formats with auto', async () => {
    const summary = await importJson(['auto', 'examples/plan.yaml', 'test/fixtures/katdal-summary-1548417874.txt']);
    // Seven plan features and one katdal dataset.
    expect(summary.read).toBe(8);
    const byStream = await streams();
    expect(byStream.get('observation-1548417874')?.[0]).toBe('ObservationFactsRecorded');
    expect(byStream.has('feature-MKAIV-449')).toBe(true);
  });

  it('rejects a binary file cleanly', async () => {
    const file = join(folder.path, 'capture.bin');
    writeFileSync(file, Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x00, 0x00, 0x00, 0x0d, 0x49, 0x48]));
    const result = await runCli(['import', 'obslog', file, '--data', data]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(file);
    expect(result.stderr).not.toContain('    at ');
    expect((await streams()).size).toBe(0);
  });

  it('names a missing file', async () => {
    const result = await runCli(['import', 'obslog', 'no-such.log', '--data', data]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('no-such.log was not found');
  });

  it('names an unknown format', async () => {
    const result = await runCli(['import', 'csv', 'examples/plan.yaml', '--data', data]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('unknown format "csv"');
  });

  it('delivers a feature a change names', async () => {
    await importJson(['plan', 'examples/plan.yaml']);
    const repo = join(folder.path, 'commits.jsonl');
    // One merge commit whose message names the plan's MKAIV-449 feature.
    writeFileSync(
      repo,
      `${JSON.stringify({
        hash: 'a'.repeat(40),
        parents: ['b'.repeat(40), 'c'.repeat(40)],
        author: 'person1 <user1@example.org>',
        author_date: '2019-03-06T09:00:00+02:00',
        committer: 'person1 <user1@example.org>',
        commit_date: '2019-03-06T09:00:00+02:00',
        refs: '',
        message: 'Merge pull request #1 from ska-sa/imaging\n\nMKAIV-449: three-calibrator imaging',
      })}\n`,
    );
    const summary = await importJson(['git', repo]);
    expect(summary.appended).toBe(1);
    const change = [...(await streams())].find(([stream]) => stream.startsWith('change-'));
    expect(change?.[1]).toEqual(['ChangeRecorded']);
  });
});

describe('onsky import on a second run', () => {
  it('skips a plan and a git history quietly', async () => {
    await importJson(['plan', 'examples/plan.yaml']);
    await importJson(['git', 'test/fixtures/gitlog-katsdpcontroller.jsonl']);
    for (const args of [
      ['plan', 'examples/plan.yaml'],
      ['git', 'test/fixtures/gitlog-katsdpcontroller.jsonl'],
    ]) {
      const result = await runCli(['import', ...args, '--data', data, '--json', '--strict']);
      expect(result.code, result.stderr).toBe(0);
      const summary = JSON.parse(result.stdout) as JsonSummary;
      expect(summary.appended).toBe(0);
      expect(summary.warnings).toEqual([]);
      expect(summary.duplicates).toBeGreaterThan(0);
    }
  });

  it('rescores an edited plan entry', async () => {
    await importJson(['plan', 'examples/plan.yaml']);
    const edited = join(folder.path, 'plan-rescored.yaml');
    const plan = readFileSync('examples/plan.yaml', 'utf8');
    writeFileSync(edited, editEntry(plan, 'COMM-305', (entry) => entry.replace('businessValue: 13\n', 'businessValue: 20\n').replace('minReceptors: 16\n', 'minReceptors: 32\n')));

    const summary = await importJson(['plan', edited]);
    expect(summary.warnings).toEqual([]);
    expect(summary.appended).toBe(2);
    expect(summary.files[0]?.eventTypes).toEqual({ FeatureRescored: 1, EvidenceCriteriaSet: 1 });
    expect((await streams()).get('feature-COMM-305')).toEqual(['FeatureProposed', 'FeatureRescored', 'EvidenceCriteriaSet']);

    // The same edited plan again adds nothing: its revisions are in the log.
    const again = await importJson(['plan', edited]);
    expect(again.appended).toBe(0);
    expect(again.warnings).toEqual([]);
    expect(again.duplicates).toBe(again.read);
  });

  it('sets tickets of edited entries', async () => {
    const plan = readFileSync('examples/plan.yaml', 'utf8');
    // A plan written before COMM-305 had tickets, as in a log of the onsky that dropped them.
    const withoutTickets = join(folder.path, 'plan-without-tickets.yaml');
    writeFileSync(withoutTickets, editEntry(plan, 'COMM-305', (entry) => entry.replace(/ {4}tickets: .*\n/, '')));
    await importJson(['plan', withoutTickets]);

    const summary = await importJson(['plan', 'examples/plan.yaml']);
    expect(summary.warnings).toEqual([]);
    expect(summary.files[0]?.eventTypes).toEqual({ FeatureTicketsSet: 1 });
    expect((await streams()).get('feature-COMM-305')).toEqual(['FeatureProposed', 'FeatureTicketsSet']);
    const store = openSqliteStore(join(data, 'events.sqlite'), { upcasters: domainUpcasters });
    const projections = startProjections(store);
    try {
      await projections.ready;
      expect(projections.query.featureDetail('COMM-305', '2026-12-05T00:00:00Z')?.ticketKeys).toEqual(['COMM-305']);
    } finally {
      await projections.close();
      await store.close();
    }
    expect((await importJson(['plan', 'examples/plan.yaml'])).appended).toBe(0);
  });

  it('names features a plan no longer lists', async () => {
    await importJson(['plan', 'examples/plan.yaml']);
    const plan = readFileSync('examples/plan.yaml', 'utf8');
    const start = plan.indexOf('  - key: COMM-305\n');
    const end = plan.indexOf('  - key:', start + 1);
    const edited = join(folder.path, 'plan.yaml');
    writeFileSync(edited, (plan.slice(0, start) + plan.slice(end)).replace('key: MKAIV-449', 'key: MKAIV-450'));

    const summary = await importJson(['plan', edited]);
    expect(summary.appended).toBe(1);
    expect(summary.warnings).toEqual([
      {
        file: edited,
        line: 1,
        message: 'features COMM-305 and MKAIV-449 were proposed by an earlier import of plan.yaml but are not in it now; if dropped or renamed, withdraw them (withdrawFeature), otherwise nothing changes',
      },
    ]);

    // A plan of another name is another part of the plan, so it misses nothing.
    const other = join(folder.path, 'sdp-plan.yaml');
    writeFileSync(other, plan.slice(0, start) + plan.slice(end));
    expect((await importJson(['plan', other])).warnings).toEqual([]);
  });

  it('undoes a plan edit', async () => {
    await importJson(['plan', 'examples/plan.yaml']);
    const edited = join(folder.path, 'plan-rescored.yaml');
    writeFileSync(edited, editEntry(readFileSync('examples/plan.yaml', 'utf8'), 'COMM-305', (entry) => entry.replace('businessValue: 13\n', 'businessValue: 20\n')));
    await importJson(['plan', edited]);

    // Back to the original plan, then the edit again: each import leaves the plan's values.
    const undone = await importJson(['plan', 'examples/plan.yaml']);
    expect(undone.appended).toBe(1);
    const redone = await importJson(['plan', edited]);
    expect(redone.appended).toBe(1);
    expect((await streams()).get('feature-COMM-305')).toEqual(['FeatureProposed', 'FeatureRescored', 'FeatureRescored', 'FeatureRescored']);
    const scores = await rescoredBusinessValues('feature-COMM-305');
    expect(scores).toEqual([20, 13, 20]);
  });

  it('stores no file of a failing strict import', async () => {
    await importJson(['plan', 'examples/plan.yaml']);
    const plan = readFileSync('examples/plan.yaml', 'utf8');
    const rescored = join(folder.path, 'plan-rescored.yaml');
    writeFileSync(rescored, editEntry(plan, 'COMM-305', (entry) => entry.replace('businessValue: 13\n', 'businessValue: 20\n')));
    const retitled = join(folder.path, 'plan-retitled.yaml');
    writeFileSync(retitled, editEntry(plan, 'COM-304', (entry) => entry.replace(/title: .*\n/, 'title: Renamed\n')));

    const result = await runCli(['import', 'plan', rescored, retitled, '--data', data, '--strict']);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(`${retitled}:`);
    expect(result.stderr).toContain('feature COM-304: the plan changes its title');
    // The first file was valid, but nothing of it is stored.
    expect((await streams()).get('feature-COMM-305')).toEqual(['FeatureProposed']);
  });

  it('names the revisions beside a warning', async () => {
    await importJson(['plan', 'examples/plan.yaml']);
    const edited = join(folder.path, 'plan-retitled.yaml');
    writeFileSync(edited, editEntry(readFileSync('examples/plan.yaml', 'utf8'), 'COMM-305', (entry) => entry.replace(/title: .*\n/, 'title: Renamed\n').replace('businessValue: 13\n', 'businessValue: 20\n')));
    const summary = await importJson(['plan', edited]);
    expect(summary.appended).toBe(1);
    expect(summary.warnings.map((warning) => warning.message)).toEqual([
      'feature COMM-305: the plan changes its title, which keeps its first proposed value (its scores were updated); to change it, withdraw the feature and propose it again under a new key',
    ]);
  });

  it('ignores reordered components', async () => {
    await importJson(['plan', 'examples/plan.yaml']);
    const edited = join(folder.path, 'plan-reordered.yaml');
    writeFileSync(edited, readFileSync('examples/plan.yaml', 'utf8').replace('components: [cbf.fengine, cbf.delay-model, sdp.cal]', 'components: [sdp.cal, cbf.fengine, cbf.delay-model]'));
    const summary = await importJson(['plan', edited]);
    expect(summary.appended).toBe(0);
    expect(summary.warnings).toEqual([]);
  });

  it('keeps a feature when its plan entry matches', async () => {
    await importJson(['plan', 'examples/plan.yaml']);
    const edited = join(folder.path, 'plan-reworded.yaml');
    // Only the description changes, which the log does not keep.
    writeFileSync(edited, readFileSync('examples/plan.yaml', 'utf8').replace('works for any SKARAB correlator product', 'works for every SKARAB correlator product'));
    const summary = await importJson(['plan', edited]);
    expect(summary.appended).toBe(0);
    expect(summary.warnings).toEqual([]);
    expect(summary.duplicates).toBe(summary.read);
  });

  it('warns about a changed proposal date', async () => {
    await importJson(['plan', 'examples/plan.yaml']);
    const plan = readFileSync('examples/plan.yaml', 'utf8');
    const recorded = /key: COMM-305[\s\S]*?proposed: (\S+)/.exec(plan)?.[1];
    expect(recorded).toBeDefined();
    const edited = join(folder.path, 'plan-redated.yaml');
    writeFileSync(edited, editEntry(plan, 'COMM-305', (entry) => entry.replace(`proposed: ${recorded}`, 'proposed: 2019-02-01')));

    const summary = await importJson(['plan', edited]);
    expect(summary.appended).toBe(0);
    expect(summary.warnings.map((warning) => warning.message)).toEqual([
      `feature COMM-305: the plan dates its proposal 2019-02-01T00:00:00Z, but the log records it proposed at ${recorded}T00:00:00Z, and a proposal keeps its first date; set proposed: to ${recorded} in the plan, or withdraw the feature and propose it again under a new key`,
    ]);
    expect((await streams()).get('feature-COMM-305')).toEqual(['FeatureProposed']);
  });

  it('still warns about an edited record', async () => {
    await importJson(['plan', 'examples/plan.yaml']);
    const edited = join(folder.path, 'plan-edited.yaml');
    writeFileSync(edited, readFileSync('examples/plan.yaml', 'utf8').replace('title: Generic SKARAB delay calibration', 'title: Generic SKARAB delay calibration, revised'));
    const summary = await importJson(['plan', edited]);
    expect(summary.appended).toBe(0);
    expect(summary.warnings.map((warning) => warning.message)).toEqual([
      'feature COMM-305: the plan changes its title, which keeps its first proposed value; to change it, withdraw the feature and propose it again under a new key',
    ]);
  });
});

describe('onsky import checks every file first', () => {
  it('appends nothing when a later file is missing', async () => {
    const result = await runCli(['import', 'obslog', 'test/fixtures/obslog-1551803062.log', 'missing.log', '--data', data]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('missing.log was not found');
    expect((await streams()).size).toBe(0);
  });

  it('names a folder given as a file', async () => {
    const result = await runCli(['import', 'obslog', 'examples', '--data', data]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('examples is a folder');
  });

  it('rejects a YAML alias bomb', async () => {
    const bomb = join(folder.path, 'bomb.yaml');
    const levels = ['a: &a ["x","x","x","x","x","x","x","x","x"]'];
    for (const [index, name] of ['b', 'c', 'd', 'e'].entries()) {
      const previous = 'abcd'[index]!;
      levels.push(`${name}: &${name} [${Array.from({ length: 9 }, () => `*${previous}`).join(',')}]`);
    }
    writeFileSync(bomb, `${levels.join('\n')}\nfeatures:\n  - key: BOMB-1\n    title: bomb\n    subsystem: CBF\n    components: [*e]\n`);
    const result = await runCli(['import', 'plan', bomb, '--data', data]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('cannot expand the YAML aliases');
    expect(result.stderr).not.toContain('    at ');
  });
});
