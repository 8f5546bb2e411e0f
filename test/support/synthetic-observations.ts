/**
 * Synthetic observations: an observation-script log record at the end of each observation, an
 * SDP controller record (stragglers, failed capture-done), archived products some time later,
 * and reviews days to months after.
 */
import { observationDecider, observationStream, type CompoundScanFact, type EvidenceFacts, type FactSource, type TaggedTarget } from '../../domain/index.js';
import { DAY_MS, iso, type History } from './synthetic.js';
import type { CatalogueEntry } from './synthetic-parts.js';

const MODES: readonly (readonly [band: string, product: string])[] = [
  ['L', 'c856M4k'], ['L', 'c856M4k'], ['L', 'c856M4k'], ['L', 'c856M4k'], ['L', 'c856M1k'],
  ['L', 'c856M1k'], ['L', 'c856M32k'], ['L', 'c856M32k'], ['UHF', 'c544M4k'], ['UHF', 'c544M32k'],
];
const FIELDS = ['Deep2', 'COSMOS', 'NGC 253', 'Fornax A', 'GOODS-S', 'XMMLSS', 'Abell 3667', 'J0437-4715', 'NGC 1316', 'ESO 137-006'];
const DESCRIPTIONS = [
  'Bandpass and delay calibration',
  'Imaging run on FIELD',
  'Commissioning: noise diode firing test on FIELD',
  'Holography raster',
  'Pulsar timing J0437-4715',
  'Polarisation calibration check',
];
const LINE_DESCRIPTIONS = ['HI spectral line survey of FIELD', 'OH maser search in FIELD', 'Spectral line imaging of FIELD'];
const PROPOSALS = ['SCI-20180516-FC-01', 'COM-20180301-SG-01', 'SSV-20180721-SA-01', 'COM-20190112-AB-02', 'SCI-20190418-TM-01', 'DDT-20190207-SM-01', 'SCI-20200118-JH-02', 'COM-20200512-RH-01'];
const DURATIONS_S = [900, 1200, 1800, 3600, 3600, 7200, 14_400, 28_800];

/** Schedules the day's observations and everything that follows each of them. */
export function planObservations(history: History, dayMs: number): void {
  const perDay = history.options.observationsPerDay;
  const spacingMs = DAY_MS / perDay;
  const day = iso(dayMs).slice(0, 10).replaceAll('-', '');
  for (let index = 0; index < perDay; index++) {
    const startMs = Math.floor((dayMs + index * spacingMs + history.random.int(0, 120) * 1000) / 1000) * 1000;
    const durationS = history.random.pick(DURATIONS_S);
    const endMs = startMs + durationS * 1000;
    const scheduleBlockId = `${day}-${String(index + 1).padStart(4, '0')}`;
    history.queue.at(endMs + 120_000, () => recordObservation(history, startMs, endMs, scheduleBlockId));
  }
}

function calibrator(history: History, tag: string): CatalogueEntry {
  const candidates = history.catalogue.filter((entry) => entry.tags.includes(tag));
  return history.random.pick(candidates.length === 0 ? history.catalogue : candidates);
}

/** Names a calibrator as an observation script does: by name with its tags, or by an alias without tags. */
function observedTarget(history: History, entry: CatalogueEntry): TaggedTarget {
  const alias = entry.aliases[0];
  if (alias !== undefined && history.random.chance(0.4)) return { name: alias, tags: [] };
  return { name: entry.name, tags: entry.tags };
}

function recordObservation(history: History, startMs: number, endMs: number, scheduleBlockId: string): void {
  const random = history.random;
  const captureBlockId = String(startMs / 1000);
  const observationId = captureBlockId;
  const [band, product] = random.pick(MODES);
  const field = random.pick(FIELDS);
  const line = product.endsWith('32k') && random.chance(0.7);
  const description = random.pick(line ? LINE_DESCRIPTIONS : DESCRIPTIONS).replace('FIELD', field);
  const bandpass = observedTarget(history, calibrator(history, 'bpcal'));
  const gain = observedTarget(history, calibrator(history, 'gaincal'));
  const science: TaggedTarget = { name: field, tags: ['radec', 'target'] };
  const durationS = (endMs - startMs) / 1000;
  const bandpassS = Math.min(random.pick([300, 600, 900]), Math.floor(durationS / 3));
  const gainS = Math.min(random.pick([60, 120, 180]), Math.floor(durationS / 6));
  const compoundScans: CompoundScanFact[] = [
    { kind: 'track', target: bandpass.name, durationSeconds: bandpassS },
    { kind: 'track', target: gain.name, durationSeconds: gainS },
    { kind: random.pick(['track', 'track', 'scan', 'raster']), target: science.name, durationSeconds: Math.max(0, durationS - bandpassS - gainS - 60) },
  ];
  const facts = {
    captureBlockId,
    scheduleBlockId,
    proposalId: random.pick(PROPOSALS),
    observer: `observer${random.int(1, 6)}`,
    description,
    startUtc: iso(startMs),
    endUtc: iso(endMs),
    targets: [bandpass, gain, science],
    compoundScans,
    receptors: random.pick(history.receptorSets),
    band,
    product,
  };
  const source: FactSource = { importer: 'obslog', file: `obslog-${captureBlockId}.log`, locator: '1' };
  const stream = observationStream(observationId);
  const command = { type: 'RecordObservationFacts' as const, data: { observationId, source, facts } };
  history.decide(observationDecider, history.observations, stream, command, endMs + 120_000, 'importer:obslog', source);
  history.counters.observations += 1;
  history.recentObservationIds.push(observationId);
  if (history.recentObservationIds.length > 200) history.recentObservationIds.shift();

  const evidence: EvidenceFacts = {
    observationId,
    startUtc: facts.startUtc,
    band,
    product,
    receptors: facts.receptors,
    targets: facts.targets.map((target) => ({ name: target.name, tags: [...new Set([...target.tags, ...(history.tagsByName.get(target.name) ?? [])])] })),
    compoundScans,
  };
  scheduleFollowUps(history, observationId, endMs, durationS, evidence);
}

function scheduleFollowUps(history: History, observationId: string, endMs: number, durationS: number, evidence: EvidenceFacts): void {
  const random = history.random;
  let pendingActions = 0;
  const schedule = (ms: number, run: () => void): void => {
    pendingActions += 1;
    history.queue.at(ms, () => {
      run();
      pendingActions -= 1;
      // Forget the decider state once nothing more will happen to the observation.
      if (pendingActions === 0) history.observations.delete(observationStream(observationId));
    });
  };

  if (random.chance(0.5)) schedule(endMs + 180_000, () => recordControllerLog(history, observationId, endMs + 180_000));
  if (random.chance(0.05)) return;

  const archivedMs = endMs + Math.round(durationS * 1000 * (0.05 + random.next() * 1.5));
  schedule(archivedMs + 600_000, () => recordProducts(history, observationId, archivedMs, evidence));
  const reviews: [number, 'automated-qa' | 'inspected' | 'imaged' | 'discarded'][] = [];
  if (random.chance(0.75)) reviews.push([archivedMs + 3_600_000, 'automated-qa']);
  if (random.chance(0.25)) reviews.push([archivedMs + random.int(3, 60) * DAY_MS, 'inspected']);
  if (random.chance(0.1)) reviews.push([archivedMs + random.int(10, 120) * DAY_MS, 'imaged']);
  if (random.chance(0.03)) reviews.push([archivedMs + 2 * DAY_MS, 'discarded']);
  for (const [ms, level] of reviews) schedule(ms, () => review(history, observationId, ms, level));
}

function recordControllerLog(history: History, observationId: string, ms: number): void {
  const stream = observationStream(observationId);
  const source: FactSource = { importer: 'sdpmc', file: 'sdpmc-array_1_0.log', locator: String(history.random.int(1, 90_000)) };
  if (history.random.chance(0.1)) {
    const receptors = [`m0${history.random.int(10, 63)}`];
    const anomaly = { kind: 'stragglers' as const, receptors, detail: `quorum reached without ${receptors.join(', ')}` };
    const command = { type: 'NoteObservationAnomaly' as const, data: { observationId, anomaly, source, notedAt: iso(ms) } };
    history.decide(observationDecider, history.observations, stream, command, ms, 'importer:sdpmc', source);
  }
  if (history.random.chance(0.04)) {
    const anomaly = { kind: 'capture-done-failed' as const, detail: 'capture-done timed out after 60 s' };
    const command = { type: 'NoteObservationAnomaly' as const, data: { observationId, anomaly, source, notedAt: iso(ms) } };
    history.decide(observationDecider, history.observations, stream, command, ms, 'importer:sdpmc', source);
  }
  if (history.random.chance(0.05)) {
    // The controller stamps capture-init a few seconds early and sometimes names another receptor set.
    const facts = { captureBlockId: observationId, receptors: history.random.pick(history.receptorSets) };
    const command = { type: 'RecordObservationFacts' as const, data: { observationId, source, facts } };
    history.decide(observationDecider, history.observations, stream, command, ms, 'importer:sdpmc', source);
  }
}

function recordProducts(history: History, observationId: string, archivedMs: number, evidence: EvidenceFacts): void {
  const stream = observationStream(observationId);
  const bucket = `${observationId}-sdp-l0`;
  const kinds = history.random.chance(0.03) ? ['correlator_data', 'flags'] : ['correlator_data', 'flags', 'weights', 'weights_channel'];
  const products = kinds.map((kind) => ({ name: `${bucket}/${kind}`, location: `s3://${bucket}/${kind}/`, archivedAt: iso(archivedMs) }));
  const ms = archivedMs + 600_000;
  const source: FactSource = { importer: 's3', file: `s3-listing-${observationId}.txt`, locator: '1' };
  history.decide(observationDecider, history.observations, stream, { type: 'RecordArchivedProducts', data: { observationId, products, source } }, ms, 'importer:s3', source);
  if (kinds.length < 4) {
    const anomaly = { kind: 'missing-products' as const, products: ['weights', 'weights_channel'], detail: `${bucket} lacks weights and weights_channel` };
    history.decide(observationDecider, history.observations, stream, { type: 'NoteObservationAnomaly', data: { observationId, anomaly, source, notedAt: iso(ms) } }, ms, 'importer:s3', source);
  }
  history.archived.push(evidence);
  if (history.archived.length > 4000) history.archived.splice(0, 1000);
}

function review(history: History, observationId: string, ms: number, level: 'automated-qa' | 'inspected' | 'imaged' | 'discarded'): void {
  const reviewer = level === 'automated-qa' ? 'qa-pipeline' : `commissioner${history.random.int(1, 4)}`;
  const reason = level === 'discarded' ? 'RFI over most of the band' : undefined;
  const notes = level === 'imaged' ? 'continuum image within 10% of expected noise' : '';
  const command = { type: 'ReviewObservation' as const, data: { observationId, level, reviewer, reviewedAt: iso(ms), reason, notes } };
  history.decide(observationDecider, history.observations, observationStream(observationId), command, ms, reviewer);
}
