import * as E from 'fp-ts/lib/Either.js';
import { describe, expect, it } from 'vitest';
import {
  changeDecider,
  featureDecider,
  findingDecider,
  observationDecider,
  targetDecider,
  ticketDecider,
  type Decider,
  type DomainError,
  type OnskyCommand,
} from '../../domain/index.js';
import { mapArchive } from '../../importers/archive.map.js';
import { parseArchive } from '../../importers/archive.js';
import { parseCatalogue, TargetIndex } from '../../importers/catalogue.js';
import { mapCatalogue } from '../../importers/catalogue.map.js';
import { componentFromPath, mapGit } from '../../importers/git.map.js';
import { parseGitJsonl } from '../../importers/git.js';
import { mapJira } from '../../importers/jira.map.js';
import { parseJira } from '../../importers/jira.js';
import { mapKatdal } from '../../importers/katdal.map.js';
import { parseKatdalSummary } from '../../importers/katdal.js';
import { parseSource } from '../../importers/index.js';
import { eventIdFor, type ImportCommand, type MapContext, type RecordMapper } from '../../importers/map.js';
import { mapperFor } from '../../importers/mappers.js';
import { mapObslog } from '../../importers/obslog.map.js';
import { parseObslog } from '../../importers/obslog.js';
import { mapPlan } from '../../importers/plan.map.js';
import { parsePlan } from '../../importers/plan.js';
import { mapS3Listing } from '../../importers/s3.map.js';
import { parseS3Listing } from '../../importers/s3.js';
import { mapSdpmc } from '../../importers/sdpmc.map.js';
import { parseSdpmc } from '../../importers/sdpmc.js';
import { mapSyslog } from '../../importers/syslog.map.js';
import { parseSyslog } from '../../importers/syslog.js';
import { collect, type Parsed } from '../../importers/types.js';
import { fileURLToPath } from 'node:url';
import { fixture, memorySource } from './support.js';

const context: MapContext = { actor: 'importer-test', importedAt: '2026-12-04T20:00:00Z' };

async function mapAll<R>(items: AsyncIterable<Parsed<R>>, mapper: RecordMapper<R>): Promise<ImportCommand[]> {
  const { records } = await collect(items);
  return records.flatMap((record) => [...mapper(record)]);
}

type CommandData<T extends OnskyCommand['type']> = Extract<OnskyCommand, { type: T }> extends { data: infer D } ? D : never;

/** Returns the command's data after checking its type. */
function dataOf<T extends OnskyCommand['type']>(item: ImportCommand | undefined, type: T): CommandData<T> {
  expect(item?.command.type).toBe(type);
  return item?.command.data as CommandData<T>;
}

/** Runs every command through its aggregate's decider, stream by stream, as the command handler would. */
function decideAll(commands: readonly ImportCommand[]): { events: Map<string, { type: string }[]>; errors: DomainError[] } {
  const deciders: Record<string, Decider<OnskyCommand, { type: string }, unknown, DomainError>> = {
    observation: observationDecider as unknown as Decider<OnskyCommand, { type: string }, unknown, DomainError>,
    ticket: ticketDecider as unknown as Decider<OnskyCommand, { type: string }, unknown, DomainError>,
    change: changeDecider as unknown as Decider<OnskyCommand, { type: string }, unknown, DomainError>,
    target: targetDecider as unknown as Decider<OnskyCommand, { type: string }, unknown, DomainError>,
    finding: findingDecider as unknown as Decider<OnskyCommand, { type: string }, unknown, DomainError>,
    feature: featureDecider as unknown as Decider<OnskyCommand, { type: string }, unknown, DomainError>,
  };
  const states = new Map<string, unknown>();
  const events = new Map<string, { type: string }[]>();
  const errors: DomainError[] = [];
  for (const { stream, command } of commands) {
    const decider = deciders[stream.slice(0, stream.indexOf('-'))];
    if (decider === undefined) throw new Error(`no decider for stream ${stream}`);
    const state = states.has(stream) ? states.get(stream) : decider.initialState;
    const decision = decider.decide(command, state);
    if (E.isLeft(decision)) {
      errors.push(decision.left);
      continue;
    }
    states.set(stream, decision.right.reduce(decider.evolve, state));
    events.set(stream, [...(events.get(stream) ?? []), ...decision.right]);
  }
  return { events, errors };
}

describe('mapObslog', () => {
  it('records facts and stragglers', async () => {
    const commands = await mapAll(parseObslog(fixture('obslog-1551803062.log')), mapObslog(context));
    expect(commands.map((item) => [item.stream, item.command.type])).toEqual([
      ['observation-1551803062', 'RecordObservationFacts'],
      ['observation-1551803062', 'NoteObservationAnomaly'],
      ['observation-1551803062', 'RecordObservationFacts'],
    ]);
    const anomaly = commands[1];
    expect(dataOf(anomaly, 'NoteObservationAnomaly').anomaly).toEqual({ kind: 'stragglers', receptors: ['m044'], detail: "waiting for sensor 'lock' == True had 1 straggler(s)" });
    const facts = commands[2];
    expect(dataOf(facts, 'RecordObservationFacts').facts).toEqual({
      captureBlockId: '1551803062',
      startUtc: '2019-03-05T16:24:22.230Z',
      endUtc: '2019-03-05T16:25:23.958Z',
      targets: [{ name: 'J0010-4153', tags: [] }],
      compoundScans: [{ kind: 'interferometric_pointing', target: 'J0010-4153', durationSeconds: 20 }],
    });
    expect(commands[2]?.provenance).toMatchObject({ importer: 'obslog', locator: 'session-1551803062' });
    const { errors } = decideAll(commands);
    expect(errors).toEqual([]);
  });

  it('tags targets from catalogues', async () => {
    const targets = new TargetIndex();
    for (const item of (await collect(parseCatalogue(fixture('catalogue-lband-gain-calibrators.csv')))).records) targets.add(item.record);
    const commands = await mapAll(parseObslog(fixture('obslog-1551803062.log')), mapObslog({ ...context, targets }));
    const facts = commands.at(-1);
    expect(dataOf(facts, 'RecordObservationFacts').facts.targets).toEqual([{ name: 'J0010-4153', tags: ['gaincal'] }]);
  });

  it('maps repeated lines once per observation', async () => {
    const lock = "INFO Waiting for sensor 'lock' == True had 1 straggler(s): ['m044']";
    const text = [
      '2019-03-05 16:00:00.000Z INFO Capture block ID = 1551801600',
      `2019-03-05 16:01:00.000Z ${lock}`,
      '2019-03-05 16:02:00.000Z INFO Capture block ID = 1551801600',
      `2019-03-05 16:03:00.000Z ${lock}`,
      "2019-03-05 16:04:00.000Z INFO Waiting for sensor 'lock' == True had 2 straggler(s): ['m045', 'm044']",
      "2019-03-05 16:05:00.000Z INFO Waiting for sensor 'lock' == True had 2 straggler(s): ['m044', 'm045']",
      '2019-03-05 16:20:00.000Z INFO Capture block ID = 1551803062',
      `2019-03-05 16:21:00.000Z ${lock}`,
    ].join('\n');
    const commands = await mapAll(parseObslog(memorySource('repeats.log', text)), mapObslog(context));
    expect(commands.map((item) => [item.stream, item.command.type, item.provenance.locator])).toEqual([
      ['observation-1551801600', 'RecordObservationFacts', '1551801600'],
      ['observation-1551801600', 'NoteObservationAnomaly', '2'],
      ['observation-1551801600', 'NoteObservationAnomaly', '5'],
      ['observation-1551803062', 'RecordObservationFacts', '1551803062'],
      ['observation-1551803062', 'NoteObservationAnomaly', '8'],
      // Session summaries come at the end of the log, in the order the blocks ended.
      ['observation-1551801600', 'RecordObservationFacts', 'session-1551801600'],
      ['observation-1551803062', 'RecordObservationFacts', 'session-1551803062'],
    ]);
    // The same receptors in another order are the same anomaly, listed in sorted order.
    expect(dataOf(commands[2], 'NoteObservationAnomaly').anomaly).toMatchObject({ kind: 'stragglers', receptors: ['m044', 'm045'] });
    // Every anomaly mapped is new to the domain, and the domain would have dropped the repeats.
    const decided = decideAll(commands);
    expect([...decided.events.values()].flat().filter((event) => event.type === 'ObservationAnomalyNoted')).toHaveLength(3);
  });

  it('repeats ids on re-import', async () => {
    const first = await mapAll(parseObslog(fixture('obslog-1551803062.log')), mapObslog(context));
    const text = (await import('node:fs')).readFileSync(fixture('obslog-1551803062.log'));
    const second = await mapAll(parseObslog(memorySource(fixture('obslog-1551803062.log'), text, 100)), mapObslog(context));
    expect(second.map((item) => item.commandId)).toEqual(first.map((item) => item.commandId));
    expect(new Set(first.map((item) => item.commandId)).size).toBe(first.length);
    expect(eventIdFor(first[0]?.commandId ?? '', 0)).toBe(eventIdFor(second[0]?.commandId ?? '', 0));
    expect(eventIdFor(first[0]?.commandId ?? '', 0)).not.toBe(eventIdFor(first[0]?.commandId ?? '', 1));
  });
});

describe('mapSdpmc', () => {
  it('records the capture block', async () => {
    const commands = await mapAll(parseSdpmc(fixture('sdpmc-array_1_0-2019-03-08.log')), mapSdpmc(context));
    expect(commands.map((item) => [item.stream, item.command.type])).toEqual([['observation-1552039941', 'RecordObservationFacts']]);
    expect(decideAll(commands).errors).toEqual([]);
  });

  it('notes a failed capture-done', async () => {
    const text = [
      '2019-03-08 10:12:21.793 mc1 sdpmc: array_1_0 Started capture block 1552039941 on subarray product array_1_0',
      '2019-03-08 10:20:28.703 mc1 sdpmc: array_1_0 Request capture-done () to node array_1_0.ingest.sdp_l0.2 timed out',
    ].join('\n');
    const commands = await mapAll(parseSdpmc(memorySource('timeout.log', text)), mapSdpmc(context));
    const anomaly = commands[1];
    expect(dataOf(anomaly, 'NoteObservationAnomaly').anomaly).toEqual({ kind: 'capture-done-failed', detail: 'capture-done on node array_1_0.ingest.sdp_l0.2 timed out' });
    expect(commands[1]?.stream).toBe('observation-1552039941');
    expect(decideAll(commands).errors).toEqual([]);
  });
});

describe('mapArchive', () => {
  it('records schedule block facts', async () => {
    const commands = await mapAll(parseArchive(fixture('archive-search-2019-03-08.tsv')), mapArchive(context));
    expect(commands).toHaveLength(7);
    expect(commands[0]?.stream).toBe('observation-sb-20190308-0083');
    const facts = commands[0];
    expect(dataOf(facts, 'RecordObservationFacts').facts).toEqual({
      scheduleBlockId: '20190308-0083',
      proposalId: '20180306SB-02',
      observer: 'observer1',
      description: 'COMM-305 Generic skarab delaycal',
      startUtc: '2019-03-08T10:12:26Z',
      targets: [{ name: 'PKS 1934-63', tags: [] }],
    });
    expect(decideAll(commands).errors).toEqual([]);
  });
});

describe('mapKatdal', () => {
  it('records facts linking both ids', async () => {
    const commands = await mapAll(parseKatdalSummary(fixture('katdal-summary-1548417874.txt')), mapKatdal(context));
    expect(commands.map((item) => [item.stream, item.command.type])).toEqual([['observation-1548417874', 'RecordObservationFacts']]);
    const facts = commands[0];
    expect(dataOf(facts, 'RecordObservationFacts').facts).toMatchObject({
      captureBlockId: '1548417874',
      scheduleBlockId: '20190125-0012',
      startUtc: '2019-01-25T12:04:36.424Z',
      receptors: ['m010', 'm043', 'm053', 'm054'],
      band: 'L',
      product: 'c856M4k',
      targets: [{ name: 'PKS 1934-63', tags: ['bfcal', 'single_accumulation'] }],
      // Only the track scan counts: 12:05:12 to 12:08:16.
      compoundScans: [{ kind: 'track', target: 'PKS 1934-63', durationSeconds: 184 }],
    });
    const { errors, events } = decideAll(commands);
    expect(errors).toEqual([]);
    expect(events.get('observation-1548417874')?.map((event) => event.type)).toEqual(['ObservationFactsRecorded', 'ObservationIdentifierLinked']);
  });
});

describe('mapS3Listing', () => {
  it('records archived products', async () => {
    const commands = await mapAll(parseS3Listing(fixture('s3-listing-1551803062.txt')), mapS3Listing(context));
    expect(commands.map((item) => item.command.type)).toEqual(['RecordObservationFacts', 'RecordArchivedProducts']);
    const archived = commands[1];
    expect(dataOf(archived, 'RecordArchivedProducts').products.map((product) => product.location)).toEqual([
      's3://1551803062-sdp-l0/correlator_data/',
      's3://1551803062-sdp-l0/flags/',
      's3://1551803062-sdp-l0/weights/',
      's3://1551803062-sdp-l0/weights_channel/',
    ]);
    expect(decideAll(commands).errors).toEqual([]);
  });

  it('notes missing products', async () => {
    const commands = await mapAll(parseS3Listing(memorySource('gap.txt', 'DIR s3://1552039941-sdp-l0/correlator_data/\n')), mapS3Listing(context));
    const gap = commands.find((item) => item.command.type === 'NoteObservationAnomaly');
    expect(dataOf(gap, 'NoteObservationAnomaly').anomaly).toEqual({ kind: 'missing-products', products: ['flags', 'weights', 'weights_channel'], detail: 'bucket 1552039941-sdp-l0 has no flags, weights, weights_channel' });
    expect(decideAll(commands).errors).toEqual([]);
  });
});

describe('mapJira', () => {
  it('records tickets with links and mentions', async () => {
    const commands = await mapAll(parseJira(fixture('jira-export-commissioning.csv')), mapJira(context));
    expect(commands.map((item) => item.stream)).toEqual(['ticket-COMM-305', 'ticket-MKAIV-449']);
    const ticket = commands[0];
    expect(dataOf(ticket, 'RecordTicket').links).toEqual([
      { direction: 'outward', relation: 'relates to', ticketKey: 'SR-1446' },
      { direction: 'outward', relation: 'relates to', ticketKey: 'COM-304' },
      { direction: 'inward', relation: 'is blocked by', ticketKey: 'MKAIV-449' },
    ]);
    expect(dataOf(ticket, 'RecordTicket').mentions).toEqual({ captureBlockIds: ['1552039941'], scheduleBlockIds: ['20190308-0083'], featureKeys: ['MKAIV-449'] });
    expect(decideAll(commands).errors).toEqual([]);
  });

  it('records the REST issue', async () => {
    const commands = await mapAll(parseJira(fixture('jira-issue-DEMO-2719.json')), mapJira(context));
    expect(decideAll(commands).errors).toEqual([]);
    expect(commands[0]?.provenance.locator).toBe('DEMO-2719');
  });
});

describe('mapGit', () => {
  it('turns merges and tags into changes', async () => {
    const file = fixture('gitlog-katsdpcontroller.jsonl');
    const mapper = mapGit(context, { component: componentFromPath(file), subsystem: 'SDP', featureKeys: new Set(['MKAIV-1523']) });
    const commands = await mapAll(parseGitJsonl(file), mapper);
    // 950 merge commits; the one tagged commit is itself a merge.
    expect(commands).toHaveLength(950);
    const tagged = commands.find((item) => item.command.type === 'RecordChange' && item.command.data.version !== '');
    expect(dataOf(tagged, 'RecordChange').version).toBe('katsdpcontroller karoocamv8');
    const delivering = commands.filter((item) => item.command.type === 'RecordChange' && item.command.data.deliversFeatures.length > 0);
    expect(delivering.map((item) => item.stream)).toEqual(['change-5286765312e3306019ef16f39b0714942783126c']);
    expect(dataOf(delivering[0], 'RecordChange').summary).toBe('Merge pull request #400 from ska-sa/MKAIV-1523');
    expect(decideAll(commands).errors).toEqual([]);
  });

  it('names the component from the path', () => {
    expect(componentFromPath('/data/gitlog-katsdpcontroller.jsonl')).toBe('katsdpcontroller');
    expect(componentFromPath('/src/katsdpcontroller/')).toBe('katsdpcontroller');
  });
});

describe('mapCatalogue', () => {
  it('records targets with aliases', async () => {
    const commands = await mapAll(parseCatalogue(fixture('catalogue-lband-bandpass-calibrators.csv')), mapCatalogue(context));
    expect(commands).toHaveLength(23);
    const pks = commands.find((item) => item.command.type === 'RecordTarget' && item.command.data.targetName === 'J1939-6342');
    expect(dataOf(pks, 'RecordTarget')).toMatchObject({ aliases: ['1934-638'], tags: ['radec', 'bpcal'], coordinates: '19:39:25.0264 -63:42:45.625' });
    expect(decideAll(commands).errors).toEqual([]);
  });
});

describe('mapSyslog', () => {
  it('records the hung task as a finding', async () => {
    const commands = await mapAll(parseSyslog(fixture('syslog-fwr3-2019-03-03.log')), mapSyslog(context));
    expect(commands.map((item) => item.stream)).toEqual(['finding-fwr3-hung-task-20190303T010348Z']);
    const finding = commands[0];
    expect(dataOf(finding, 'RecordFinding').links.hosts).toEqual(['fwr3']);
    expect(dataOf(finding, 'RecordFinding').symptom).toContain('INFO: task xfsaild/md0:1881 blocked for more than 120 seconds.');
    expect(decideAll(commands).errors).toEqual([]);
  });
});

describe('mapPlan', () => {
  it('proposes the example features', async () => {
    const commands = await mapAll(parsePlan(fileURLToPath(new URL('../../examples/plan.yaml', import.meta.url))), mapPlan(context));
    expect(commands.map((item) => item.stream)).toEqual([
      'feature-CBF-1K-START-DELAY',
      'feature-COMM-305',
      'feature-COM-304',
      'feature-RTS-GAIN-STABILITY',
      'feature-MKAIV-449',
      'feature-SDP-L0-ARCHIVE',
      'feature-SDP-CAPTURE-LIFECYCLE',
    ]);
    const gain = commands[3];
    expect(dataOf(gain, 'ProposeFeature').evidenceCriteria).toEqual({ band: 'L', minReceptors: 4, minOnTargetSeconds: 1200, scanKind: 'track' });
    expect(dataOf(gain, 'ProposeFeature').requirementRefs).toEqual(['R.RC.P.30', 'R.T.P.6']);
    const { errors, events } = decideAll(commands);
    expect(errors).toEqual([]);
    expect(events.get('feature-MKAIV-449')?.map((event) => event.type)).toEqual(['FeatureProposed']);
  });
});

describe('mapperFor', () => {
  it('maps every fixture format', async () => {
    const cases: [Parameters<typeof mapperFor>[0], string, number][] = [
      ['obslog', fixture('obslog-1551803062.log'), 3],
      ['sdpmc', fixture('sdpmc-array_1_0-2019-03-08.log'), 1],
      ['archive', fixture('archive-search-2019-03-08.tsv'), 7],
      ['katdal', fixture('katdal-summary-1548417874.txt'), 1],
      ['s3', fixture('s3-listing-1551803062.txt'), 2],
      ['jira', fixture('jira-issue-DEMO-2719.json'), 1],
      ['catalogue', fixture('catalogue-lband-gain-calibrators.csv'), 108],
      ['syslog', fixture('syslog-fwr3-2019-03-03.log'), 1],
      ['plan', fileURLToPath(new URL('../../examples/plan.yaml', import.meta.url)), 7],
    ];
    for (const [format, path, count] of cases) {
      const commands = await mapAll(parseSource(format, path), mapperFor(format, context));
      expect(commands).toHaveLength(count);
      expect(decideAll(commands).errors).toEqual([]);
    }
  });

  it('names the git component from the file', async () => {
    const commands = await mapAll(parseSource('git', fixture('gitlog-katsdpcontroller.jsonl')), mapperFor('git', context, { gitSubsystem: 'SDP' }));
    const change = commands[0];
    expect(dataOf(change, 'RecordChange').components).toEqual(['katsdpcontroller']);
    expect(dataOf(change, 'RecordChange').subsystem).toBe('SDP');
  });
});
