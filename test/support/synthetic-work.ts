/**
 * Synthetic engineering and commissioning work: features proposed with evidence criteria,
 * changes recorded, deployed (the deployment policy delivers features and raises suspicions)
 * and sometimes rolled back, verifications citing qualifying archived observations, cleared
 * suspicions, Jira tickets and findings.
 */
import {
  changeDecider,
  changeStream,
  CHANGE_KINDS,
  featureDecider,
  featureStream,
  findingDecider,
  findingStream,
  ticketDecider,
  ticketStream,
  type EvidenceCriteria,
  type FeatureState,
} from '../../domain/index.js';
import { DAY_MS, iso, type History } from './synthetic.js';

const SUBSYSTEMS: Readonly<Record<string, readonly string[]>> = {
  CBF: ['cbf-fengine', 'cbf-xengine', 'corr2'],
  SDP: ['katsdpcontroller', 'katsdpingest', 'katsdpcal', 'katsdpdatawriter'],
  CAM: ['katportal', 'katcorelib', 'cam-scheduler'],
  receptor: ['ap-firmware', 'digitiser', 'receiver-l'],
};
const TITLES = [
  '1K mode start-delay correction',
  'automatic noise-diode firing',
  'quorum straggler tolerance',
  'bandpass solution interpolation',
  'capture-done retry',
  'digitiser sync monitoring',
  'pointing model update',
  'RFI flagging thresholds',
];
const FIBONACCI = [1, 2, 3, 5, 8, 13, 20];

/** Proposes a feature on about one day in three. */
export function planFeatures(history: History, dayMs: number): void {
  const random = history.random;
  if (!random.chance(0.35)) return;
  const ms = dayMs + 8 * 3_600_000 + random.int(0, 3_600) * 1000;
  history.queue.at(ms, () => {
    const subsystem = random.pick(Object.keys(SUBSYSTEMS));
    const components = SUBSYSTEMS[subsystem]!;
    const number = ++history.counters.features;
    const featureKey = `${subsystem.toUpperCase()}-${number}`;
    const criteria: EvidenceCriteria = {
      band: 'L',
      ...(random.chance(0.5) ? { product: random.pick(['c856M4k', 'c856M1k']) } : {}),
      minReceptors: random.pick([4, 16, 32, 58]),
      minOnTargetSeconds: random.pick([120, 300, 600]),
      targetTags: [random.pick(['bpcal', 'gaincal'])],
      scanKind: 'track',
    };
    const data = {
      featureKey,
      title: `${random.pick(TITLES)} (${number})`,
      subsystem,
      components: [random.pick(components), random.pick(components)].filter((value, index, all) => all.indexOf(value) === index),
      requirementRefs: [`R.RC.P.${random.int(1, 40)}`],
      ticketKeys: [],
      evidenceCriteria: criteria,
      scores: { userBusinessValue: random.pick(FIBONACCI), timeCriticality: random.pick(FIBONACCI), riskReductionOpportunityEnablement: random.pick(FIBONACCI), jobSize: random.pick(FIBONACCI) },
      verificationEffort: random.pick([1, 2, 3, 5, 8]),
      proposedBy: 'lead',
      proposedAt: iso(ms),
    };
    history.decide(featureDecider, history.features, featureStream(featureKey), { type: 'ProposeFeature', data }, ms, 'lead');
  });
}

/** Records a change on about one day in two, deploys it a day later, rolls a few back. */
export function planChanges(history: History, dayMs: number): void {
  const random = history.random;
  planVerifications(history, dayMs);
  if (!random.chance(0.5)) return;
  const recordedMs = dayMs + 9 * 3_600_000 + random.int(0, 3_600) * 1000;
  history.queue.at(recordedMs, () => {
    const subsystem = random.pick(Object.keys(SUBSYSTEMS));
    const component = random.pick(SUBSYSTEMS[subsystem]!);
    const number = ++history.counters.changes;
    const changeId = `CHG-${number}`;
    const data = {
      changeId,
      kind: random.pick(CHANGE_KINDS),
      subsystem,
      components: [component],
      version: `${component} ${random.int(0, 3)}.${random.int(0, 20)}.${random.int(0, 9)}`,
      summary: `update ${component}`,
      ticketKeys: random.chance(0.5) ? [`MKAIV-${random.int(1, Math.max(1, history.counters.tickets))}`] : [],
      deliversFeatures: undelivered(history, subsystem).slice(0, random.int(0, 2)),
      recordedBy: 'engineer',
      recordedAt: iso(recordedMs),
    };
    history.decide(changeDecider, history.changes, changeStream(changeId), { type: 'RecordChange', data }, recordedMs, 'engineer');
    const deployedMs = recordedMs + DAY_MS;
    history.queue.at(deployedMs, () => deploy(history, changeId, deployedMs));
  });
}

/** Proposed or failed features of a subsystem that no change delivers yet. */
function undelivered(history: History, subsystem: string): string[] {
  const keys: string[] = [];
  for (const [stream, state] of history.features) {
    if (state.definition?.subsystem === subsystem && (state.status === 'proposed' || state.status === 'failed')) keys.push(stream.slice('feature-'.length));
  }
  return keys;
}

function deploy(history: History, changeId: string, ms: number): void {
  const command = {
    type: 'DeployChange' as const,
    data: { changeId, deploymentId: `${changeId}-d1`, deployedAt: iso(ms), scope: { subarray: null, receptors: [], hosts: [] } },
  };
  for (const event of history.decide(changeDecider, history.changes, changeStream(changeId), command, ms, 'engineer')) {
    if (event.type === 'ChangeDeployed') history.applyDeploymentPolicy(event, ms);
  }
  if (history.random.chance(0.05)) {
    const rolledBackMs = ms + 2 * DAY_MS;
    history.queue.at(rolledBackMs, () => {
      const rollBack = { type: 'RollBackChange' as const, data: { changeId, rolledBackAt: iso(rolledBackMs), reason: 'regression in delay tracking' } };
      history.decide(changeDecider, history.changes, changeStream(changeId), rollBack, rolledBackMs, 'engineer');
    });
  }
}

/** Schedules each afternoon's verifications of waiting features that have a qualifying observation. */
function planVerifications(history: History, dayMs: number): void {
  const ms = dayMs + 14 * 3_600_000;
  history.queue.at(ms, () => {
    for (const [stream, state] of history.features) {
      if (state.status === 'suspect' && history.random.chance(0.03)) clearSuspicion(history, stream, ms);
      else if ((state.status === 'delivered' || state.status === 'suspect') && history.random.chance(0.15)) verify(history, stream, state, ms);
    }
  });
}

function verify(history: History, stream: string, state: FeatureState, ms: number): void {
  const evidence = history.findEvidence(state);
  if (evidence === undefined) return;
  const featureKey = stream.slice('feature-'.length);
  const changeId = state.delivery?.changeId;
  const deployment = changeId == null ? undefined : history.changes.get(changeStream(changeId))?.deployments.at(-1);
  const roll = history.random.next();
  let outcome: 'passed' | 'failed' | 'inconclusive' = 'inconclusive';
  if (roll < 0.85) outcome = 'passed';
  else if (roll < 0.95) outcome = 'failed';
  const command = {
    type: 'RecordVerification' as const,
    data: {
      featureKey,
      verificationId: `v-${history.random.uuid().slice(0, 8)}`,
      outcome,
      observationIds: [evidence.observationId],
      metrics: [{ name: 'delay residual', value: Math.round(history.random.next() * 100) / 100, unit: 'ns' }],
      notes: outcome === 'passed' ? 'as expected' : 'residuals above tolerance',
      verifiedBy: `commissioner${history.random.int(1, 4)}`,
      verifiedAt: iso(ms),
      ...(changeId == null || deployment === undefined ? {} : { deliveringChange: { changeId, deployedAt: deployment.deployedAt } }),
      observations: [evidence],
    },
  } as const;
  history.decide(featureDecider, history.features, stream, command, ms, 'commissioner');
}

function clearSuspicion(history: History, stream: string, ms: number): void {
  const featureKey = stream.slice('feature-'.length);
  const command = { type: 'ClearSuspicion' as const, data: { featureKey, justification: 'change does not affect this mode', clearedBy: 'lead', clearedAt: iso(ms) } };
  history.decide(featureDecider, history.features, stream, command, ms, 'lead');
}

/** Tickets most days (mentioning recent capture blocks and features), findings now and then. */
export function planTicketsAndFindings(history: History, dayMs: number): void {
  const random = history.random;
  if (random.chance(0.6)) {
    const ms = dayMs + 11 * 3_600_000 + random.int(0, 3_600) * 1000;
    history.queue.at(ms, () => recordTicket(history, ms));
  }
  if (random.chance(0.1)) {
    const ms = dayMs + 16 * 3_600_000;
    history.queue.at(ms, () => recordFinding(history, ms));
  }
}

function recordTicket(history: History, ms: number): void {
  const random = history.random;
  const update = history.counters.tickets > 0 && random.chance(0.3);
  const number = update ? random.int(1, history.counters.tickets) : ++history.counters.tickets;
  const ticketKey = `MKAIV-${number}`;
  const observationId = history.recentObservationIds.length === 0 ? undefined : random.pick(history.recentObservationIds);
  const features = [...history.features.keys()];
  const data = {
    ticketKey,
    summary: `Investigate ${observationId === undefined ? 'array' : `capture block ${observationId}`}`,
    status: update ? 'Done' : 'Open',
    links: number > 1 && random.chance(0.3) ? [{ direction: 'outward' as const, relation: 'relates to', ticketKey: `MKAIV-${number - 1}` }] : [],
    mentions: {
      captureBlockIds: observationId === undefined ? [] : [observationId],
      scheduleBlockIds: [],
      featureKeys: features.length === 0 ? [] : [random.pick(features).slice('feature-'.length)],
    },
    source: { importer: 'jira', file: 'jira-export.csv', locator: ticketKey },
    recordedAt: iso(ms),
  };
  history.decide(ticketDecider, history.tickets, ticketStream(ticketKey), { type: 'RecordTicket', data }, ms, 'importer:jira', data.source);
}

function recordFinding(history: History, ms: number): void {
  const random = history.random;
  const findingId = `F-${++history.counters.findings}`;
  const subsystem = random.pick(Object.keys(SUBSYSTEMS));
  const component = random.pick(SUBSYSTEMS[subsystem]!);
  const observationId = history.recentObservationIds.at(-1);
  const data = {
    findingId,
    title: `${component} stalls under load`,
    symptom: `${component} stops responding during long captures`,
    cause: random.chance(0.5) ? 'XFS on RAID10 hangs under sustained writes' : '',
    workaround: random.chance(0.5) ? `restart ${component} between captures` : '',
    links: {
      hosts: ['mc1.sdp.mkat.karoo.kat.ac.za'],
      components: [component],
      changeIds: history.counters.changes > 0 ? [`CHG-${history.counters.changes}`] : [],
      observationIds: observationId === undefined ? [] : [observationId],
      ticketKeys: [],
    },
    recordedBy: 'engineer',
    recordedAt: iso(ms),
  };
  history.decide(findingDecider, history.findings, findingStream(findingId), { type: 'RecordFinding', data }, ms, 'engineer');
}
