import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CommandHandler } from '../../api/commands/handler.js';
import type { OnskyCommand } from '../../domain/index.js';
import { openSqliteStore } from '../../store/sqlite.js';
import { collect } from '../contract/suite.js';
import { definition } from '../domain/fixtures.js';
import { runCli } from '../support/cli.js';
import { tempFolder } from '../support/temp.js';

let folder: ReturnType<typeof tempFolder>;

beforeEach(() => {
  folder = tempFolder('onsky-cli-log-');
});

afterEach(() => folder.remove());

async function seed(dataDir: string): Promise<void> {
  const store = openSqliteStore(join(dataDir, 'events.sqlite'));
  const handler = new CommandHandler({ store });
  const commands: OnskyCommand[] = [
    { type: 'ProposeFeature', data: { ...definition, proposedBy: 'lead', proposedAt: '2019-03-01T08:00:00Z' } },
    {
      type: 'RecordObservationFacts',
      data: { observationId: '1552039941', source: { importer: 'archive', file: 'archive.tsv', locator: '2' }, facts: { captureBlockId: '1552039941', scheduleBlockId: '20190308-0083', band: 'L' } },
    },
    { type: 'DeliverFeature', data: { featureKey: definition.featureKey, deliveredAt: '2019-03-07T12:00:00Z' } },
  ];
  for (const command of commands) await handler.handle(command, { actor: 'lead' });
  await store.close();
}

describe('onsky export and restore', () => {
  it('round-trips the whole log', async () => {
    const source = join(folder.path, 'source');
    const target = join(folder.path, 'target');
    const file = join(folder.path, 'log.ndjson');
    await seed(source);

    const exported = await runCli(['export', '--data', source, '--out', file]);
    expect(exported.stderr).toContain('exported 4 events');
    expect(exported.code).toBe(0);
    const restored = await runCli(['restore', file, '--data', target]);
    expect(restored.stderr).toContain('restored 4 events');
    expect(restored.code).toBe(0);

    const before = openSqliteStore(join(source, 'events.sqlite'));
    const after = openSqliteStore(join(target, 'events.sqlite'));
    const strip = (events: Awaited<ReturnType<typeof collect>>) => events.map(({ position: _position, ...rest }) => rest);
    expect(strip(await collect(after.readAll()))).toEqual(strip(await collect(before.readAll())));
    await before.close();
    await after.close();
  });

  it('writes a header line first', async () => {
    const source = join(folder.path, 'source');
    await seed(source);
    const exported = await runCli(['export', '--data', source]);
    const [header, first] = exported.stdout.trim().split('\n');
    expect(JSON.parse(header!)).toMatchObject({ format: 'onsky-export', version: 2 });
    expect(JSON.parse(first!)).toMatchObject({ stream: 'feature-CBF-1K-DELAY', revision: 0, type: 'FeatureProposed', position: '1' });
  });

  it('refuses a store that is not empty', async () => {
    const source = join(folder.path, 'source');
    const file = join(folder.path, 'log.ndjson');
    await seed(source);
    await runCli(['export', '--data', source, '--out', file]);
    const restored = await runCli(['restore', file, '--data', source]);
    expect(restored.code).toBe(2);
    expect(restored.stderr).toContain('not empty');
    expect(restored.stderr).not.toContain('    at ');
  });

  it('names a damaged line', async () => {
    const source = join(folder.path, 'source');
    const file = join(folder.path, 'log.ndjson');
    await seed(source);
    await runCli(['export', '--data', source, '--out', file]);
    const lines = readFileSync(file, 'utf8').split('\n');
    lines[2] = lines[2]!.slice(0, 40);
    writeFileSync(file, lines.join('\n'));

    const restored = await runCli(['restore', file, '--data', join(folder.path, 'target')]);
    expect(restored.code).toBe(2);
    expect(restored.stderr).toContain(`${file}:3 is not valid JSON`);
  });

  it('rejects an event of a newer onsky', async () => {
    const source = join(folder.path, 'source');
    const file = join(folder.path, 'log.ndjson');
    await seed(source);
    await runCli(['export', '--data', source, '--out', file]);
    const lines = readFileSync(file, 'utf8').split('\n');
    lines[1] = lines[1]!.replace('"schemaVersion":2', '"schemaVersion":3');
    writeFileSync(file, lines.join('\n'));

    const target = join(folder.path, 'target');
    const restored = await runCli(['restore', file, '--data', target]);
    expect(restored.code).toBe(2);
    expect(restored.stderr.trim()).toBe(`onsky restore: ${file}:2 is FeatureProposed schema version 3, but this onsky reads versions up to 2; restore with the onsky that exported it or a newer one`);
    const restoredStore = openSqliteStore(join(target, 'events.sqlite'));
    expect(await collect(restoredStore.readAll())).toEqual([]);
    await restoredStore.close();
  });

  it('restores nothing of a bad export', async () => {
    const source = join(folder.path, 'source');
    const file = join(folder.path, 'log.ndjson');
    await seed(source);
    await runCli(['export', '--data', source, '--out', file]);
    const lines = readFileSync(file, 'utf8').trimEnd().split('\n');
    // The last line closes the export; the one before it is the last event.
    const last = lines.length - 1;
    const cases: Array<[string, string]> = [
      [lines[last - 1]!.replace(/"type":"[A-Za-z]+"/, '"type":"FeatureRenamed"'), `${file}:${last} is a "FeatureRenamed" event, a type this onsky does not know; restore with the onsky that exported it or a newer one`],
      [lines[last - 1]!.replace(/"schemaVersion":\d+/, '"schemaVersion":"1"'), `${file}:${last} has schemaVersion "1", which is not a whole number from 1; the export is damaged, so export again`],
    ];
    for (const [badLine, message] of cases) {
      writeFileSync(file, [...lines.slice(0, -2), badLine, lines.at(-1)].join('\n'));
      const target = join(folder.path, 'target');
      const restored = await runCli(['restore', file, '--data', target]);
      expect(restored.code).toBe(2);
      expect(restored.stderr.trim()).toBe(`onsky restore: ${message}`);
      // The lines before the bad one were not stored either, so the restore can simply be repeated.
      const store = openSqliteStore(join(target, 'events.sqlite'));
      expect(await collect(store.readAll())).toEqual([]);
      await store.close();
    }
  });

  it('rejects damaged exports by line', async () => {
    const source = join(folder.path, 'source');
    const file = join(folder.path, 'log.ndjson');
    await seed(source);
    await runCli(['export', '--data', source, '--out', file]);
    const lines = readFileSync(file, 'utf8').trimEnd().split('\n');
    const lineOf = (type: string): number => lines.findIndex((line) => line.includes(`"type":"${type}"`)) + 1;
    const proposal = lineOf('FeatureProposed');
    const facts = lineOf('ObservationFactsRecorded');
    const delivery = lineOf('FeatureDelivered');
    const edit = (index: number, change: (event: Record<string, any>) => void): string[] => {
      const event = JSON.parse(lines[index - 1]!) as Record<string, any>;
      change(event);
      return lines.map((line, at) => (at === index - 1 ? JSON.stringify(event) : line));
    };
    const feature = `feature-${definition.featureKey}`;
    const cases: Array<[string, string[], string]> = [
      ['a revision gap', edit(delivery, (event) => (event.revision = 2)), `${file}:${delivery} is revision 2 of stream "${feature}", but the stream's next revision is 1`],
      ['a repeated line', [...lines.slice(0, delivery), lines[delivery - 1]!, ...lines.slice(delivery)], `${file}:${delivery + 1} is revision 1 of stream "${feature}", but the stream's next revision is 2`],
      ['an id that is not a UUID', edit(facts, (event) => (event.id = 'not-a-uuid')), `${file}:${facts} has event id "not-a-uuid", which is not a UUID`],
      ['no actor', edit(facts, (event) => delete event.metadata.actor), `${file}:${facts} has no metadata.actor`],
      ['a record time in words', edit(facts, (event) => (event.metadata.recordedAt = 'next tuesday')), `${file}:${facts} has metadata.recordedAt "next tuesday": not an ISO 8601 UTC time`],
      ['a record time far ahead', edit(lines.length - 1, (event) => (event.metadata.recordedAt = '2199-12-31T23:59:59.999Z')), `${file}:${lines.length - 1} has metadata.recordedAt 2199-12-31T23:59:59.999Z, later than this machine's clock`],
      ['a stream of no aggregate', edit(facts, (event) => (event.stream = '$all')), `${file}:${facts} is in stream "$all", which is not an onsky stream`],
      ['data left out', edit(proposal, (event) => (event.data = null)), `${file}:${proposal} is a FeatureProposed event in stream "${feature}" whose data.featureKey is undefined`],
      ['data of another feature', edit(proposal, (event) => (event.data.featureKey = 'OTHER-1')), `${file}:${proposal} is a FeatureProposed event in stream "${feature}" whose data.featureKey is "OTHER-1"`],
      ['a feature delivered but never proposed', edit(proposal, (event) => Object.assign(event, { type: 'FeatureDelivered', schemaVersion: 1 })), `${file}:${proposal}: stream "${feature}" starts with a FeatureDelivered event instead of FeatureProposed, which onsky never writes`],
      ['a feature proposed twice', edit(delivery, (event) => (event.type = 'FeatureProposed')), `${file}:${delivery}: stream "${feature}" has a second FeatureProposed event at revision 1, which onsky never writes`],
      ['facts left out', edit(facts, (event) => (event.data.facts = null)), `${file}:${facts}: the ObservationFactsRecorded event's data is invalid (facts: Invalid input: expected object, received null)`],
      ['a list given as text', edit(proposal, (event) => (event.data.components = 'katsdpcontroller')), `${file}:${proposal}: the FeatureProposed event's data is invalid (components: Invalid input: expected array, received string)`],
      ['a time given as a number', edit(delivery, (event) => (event.data.deliveredAt = 1551945600)), `${file}:${delivery}: the FeatureDelivered event's data is invalid (deliveredAt: Invalid input: expected string, received number)`],
      ['a time that does not exist', edit(delivery, (event) => (event.data.deliveredAt = '2019-02-30T12:00:00Z')), `${file}:${delivery}: the FeatureDelivered event's data is invalid (deliveredAt: expected an ISO 8601 UTC time such as 2019-03-05T16:24:22Z)`],
      ['a fact of the wrong type', edit(facts, (event) => (event.data.facts.receptors = 64)), `${file}:${facts}: the ObservationFactsRecorded event's data is invalid (facts.receptors: Invalid input: expected array, received number)`],
      ['a file cut at a line end', lines.slice(0, -1), `${file} ends after line ${lines.length - 1} without the closing line an export ends with, so it was cut short`],
      ['a closing line cut off', [...lines.slice(0, -1), '{"format":"onsky-export-end","events":'], `${file}:${lines.length} is a damaged closing line`],
      ['a count that differs', [...lines.slice(0, -1), '{ "events": 1, "format": "onsky-export-end" }'], `${file}:${lines.length} counts 1 events, but the file contains ${lines.length - 2}`],
    ];
    for (const [name, damaged, message] of cases) {
      writeFileSync(file, `${damaged.join('\n')}\n`);
      const target = join(folder.path, `target-${cases.findIndex((entry) => entry[0] === name)}`);
      const restored = await runCli(['restore', file, '--data', target]);
      expect(restored.code, name).toBe(2);
      expect(restored.stderr, name).toContain(`onsky restore: ${message}`);
      expect(restored.stderr, name).not.toContain('    at ');
      const store = openSqliteStore(join(target, 'events.sqlite'));
      expect(await collect(store.readAll()), name).toEqual([]);
      await store.close();
    }
  });

  it('reports newer events in one line', async () => {
    const data = join(folder.path, 'data');
    await seed(data);
    const store = openSqliteStore(join(data, 'events.sqlite'));
    store.database.prepare("UPDATE events SET schema_version = 3 WHERE type = 'FeatureProposed'").run();
    await store.close();

    const report = await runCli(['report', 'wsjf', '--data', data]);
    expect(report.code).toBe(2);
    expect(report.stderr).toMatch(/^onsky report: event \S+ at position 1 is FeatureProposed schema version 3, but the read models fold version 2; upgrade onsky to the version that wrote it\n$/);
  });

  it('names an export path it cannot write', async () => {
    const data = join(folder.path, 'data');
    await seed(data);
    const out = join(folder.path, 'missing-folder', 'log.ndjson');
    const exported = await runCli(['export', '--data', data, '--out', out]);
    expect(exported.code).toBe(2);
    expect(exported.stderr.trim()).toBe(`onsky export: cannot write the export to ${out} (ENOENT); check that its folder exists and is writable, or leave out --out to write to standard output`);
  });

  it('restores an export saved with a byte-order mark', async () => {
    const source = join(folder.path, 'source');
    const file = join(folder.path, 'log.ndjson');
    await seed(source);
    expect((await runCli(['export', '--data', source, '--out', file])).code).toBe(0);
    writeFileSync(file, `\uFEFF${readFileSync(file, 'utf8')}`);

    const restored = await runCli(['restore', file, '--data', join(folder.path, 'target')]);
    expect(restored.stderr).toContain('restored 4 events');
    expect(restored.code).toBe(0);
  });

  it('rejects a file that is no export', async () => {
    const file = join(folder.path, 'other.ndjson');
    writeFileSync(file, '{"hello":1}\n');
    const restored = await runCli(['restore', file, '--data', join(folder.path, 'target')]);
    expect(restored.code).toBe(2);
    expect(restored.stderr).toContain(`${file}:1 is not an onsky export header`);
  });
});

describe('onsky command line', () => {
  it('names an unknown command', async () => {
    const result = await runCli(['frobnicate']);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('unknown command "frobnicate"');
  });

  it('names an unknown option', async () => {
    const result = await runCli(['export', '--bogus']);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain("Unknown option '--bogus'");
  });
});

describe('onsky commands that only read', () => {
  it('name a data folder without a store', async () => {
    const missing = join(folder.path, 'no-such-data');
    for (const args of [['report', 'wsjf'], ['export']]) {
      const result = await runCli([...args, '--data', missing]);
      expect(result.code, args.join(' ')).toBe(2);
      expect(result.stderr).toContain(`no onsky store at ${missing}`);
    }
  });

  it('name a restore file that is missing', async () => {
    const result = await runCli(['restore', join(folder.path, 'none.ndjson'), '--data', join(folder.path, 'target')]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('none.ndjson was not found');
  });

  it('print usage for --help', async () => {
    const result = await runCli(['report', '--help']);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('usage: onsky report');
  });

  it('reject a date that does not exist', async () => {
    const source = join(folder.path, 'source');
    await seed(source);
    const result = await runCli(['report', 'wsjf', '--as-of', '2019-02-30', '--data', source]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('--as-of "2019-02-30" is not a date');
  });

  it('reject clock times the API rejects', async () => {
    const source = join(folder.path, 'source');
    await seed(source);
    const cases: Array<[string, string]> = [
      ['2019-02-30T12:00:00+02:00', 'February 2019 has 28 days'],
      ['9999-12-31', 'the year 9999 is outside 1900–2199'],
      ['2199-12-31T23:30:00-01:00', 'but 2199-12-31T23:30:00-01:00 is in 2200 in UTC'],
      ['2019-03-31 12:00:00Z', 'expected an ISO 8601 time with a zone'],
      ['Sun Mar 31 2019 12:00:00 GMT+0000', 'expected an ISO 8601 time with a zone'],
    ];
    for (const [value, problem] of cases) {
      const result = await runCli(['report', 'backpressure', '--now', value, '--data', source]);
      expect(result.code, value).toBe(2);
      expect(result.stderr, value).toContain(`--now ${JSON.stringify(value)} is not a date (2019-03-08) or a time with a zone (2019-03-08T12:00:00Z)`);
      expect(result.stderr, value).toContain(problem);
    }
  });
});

describe('onsky with an unreachable EventStoreDB', () => {
  it('says so in one line', async () => {
    // Port 1 on the loopback address has no listener, so the connection is refused at once.
    const result = await runCli(['export', '--store', 'esdb://127.0.0.1:1?tls=false']);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('cannot reach EventStoreDB');
    expect(result.stderr).not.toContain('    at ');
  });
});
