/** The unverified-data ledger: observed hours by review state and group, QA coverage, archive latency. */
import { z } from 'zod';
import type { ArchiveLatency, HoursByReviewState, LedgerGroup, QaCoverage, UnverifiedDataLedger } from '../../projections/ledger.js';
import { builder } from './builder.js';
import { AS_OF_ARG, NOW_ARG, viewAt } from './common.js';

const HoursType = builder.objectRef<HoursByReviewState>('HoursByReviewState').implement({
  description: 'Observed hours by highest review state.',
  fields: (t) => ({
    neverReviewed: t.float({ description: 'Hours never reviewed.', resolve: (hours) => hours['never-reviewed'] }),
    automatedQa: t.float({ description: 'Hours with automated QA only.', resolve: (hours) => hours['automated-qa'] }),
    inspected: t.float({ description: 'Hours inspected.', resolve: (hours) => hours.inspected }),
    imaged: t.float({ description: 'Hours imaged.', resolve: (hours) => hours.imaged }),
    discarded: t.float({ description: 'Hours discarded.', resolve: (hours) => hours.discarded }),
  }),
});

const GroupType = builder.objectRef<LedgerGroup>('LedgerGroup').implement({
  description: 'Observations and hours of one month, proposal, band or product.',
  fields: (t) => ({
    key: t.exposeString('key', { description: 'YYYY-MM of the start, the proposal id, band or product; unknown when the fact is missing.' }),
    observations: t.exposeInt('observations', { description: 'Observations.' }),
    hours: t.exposeFloat('hours', { description: 'Observed hours.' }),
    hoursByReviewState: t.field({ type: HoursType, description: 'Hours by review state.', resolve: (group) => group.hoursByReviewState }),
    hoursNotLookedAtInDetail: t.exposeFloat('hoursNotLookedAtInDetail', { description: 'Hours never reviewed or with automated QA only.' }),
  }),
});

const CoverageType = builder.objectRef<QaCoverage>('QaCoverage').implement({
  description: 'QA coverage of qualifying observations.',
  fields: (t) => ({
    qualifying: t.exposeInt('qualifying', { description: 'Observations long enough on target to qualify.' }),
    reviewed: t.exposeInt('reviewed', { description: 'Qualifying observations with any review.' }),
    lookedAtInDetail: t.exposeInt('lookedAtInDetail', { description: 'Qualifying observations inspected or imaged.' }),
    coverage: t.exposeFloat('coverage', { nullable: true, description: 'reviewed / qualifying; null when nothing qualifies.' }),
  }),
});

const LatencyType = builder.objectRef<ArchiveLatency>('ArchiveLatency').implement({
  description: "Time from observation end to archived product, as a multiple of the observation's duration.",
  fields: (t) => ({
    observations: t.exposeInt('observations', { description: 'Observations with both times known.' }),
    medianMultiple: t.exposeFloat('medianMultiple', { nullable: true, description: 'Median multiple.' }),
    p90Multiple: t.exposeFloat('p90Multiple', { nullable: true, description: '90th percentile.' }),
    maxMultiple: t.exposeFloat('maxMultiple', { nullable: true, description: 'Maximum.' }),
  }),
});

const OldestType = builder.simpleObject('OldestUnreviewed', {
  description: 'The never-reviewed observation with the earliest start.',
  fields: (t) => ({
    observationId: t.string({ description: 'The observation.' }),
    startUtc: t.string({ description: 'Its start (ISO 8601 UTC).' }),
    ageDays: t.float({ description: 'Its age in days at the query\'s `now` (default the asOf time, or the request time).' }),
  }),
});

const LedgerType = builder.objectRef<UnverifiedDataLedger>('UnverifiedDataLedger').implement({
  description: 'Observed hours nobody has looked at in detail yet, by review state and group.',
  fields: (t) => ({
    observations: t.exposeInt('observations', { description: 'Observations.' }),
    observationsWithoutTimes: t.exposeInt('observationsWithoutTimes', { description: 'Observations without both a start and an end; they count as 0 hours.' }),
    hours: t.exposeFloat('hours', { description: 'Observed hours.' }),
    hoursByReviewState: t.field({ type: HoursType, description: 'Hours by review state.', resolve: (ledger) => ledger.hoursByReviewState }),
    hoursNotLookedAtInDetail: t.exposeFloat('hoursNotLookedAtInDetail', { description: 'Hours never reviewed or with automated QA only; discarded hours do not count.' }),
    byMonth: t.field({ type: [GroupType], description: 'By month of start.', resolve: (ledger) => ledger.byMonth }),
    byProposal: t.field({ type: [GroupType], description: 'By proposal.', resolve: (ledger) => ledger.byProposal }),
    byBand: t.field({ type: [GroupType], description: 'By band.', resolve: (ledger) => ledger.byBand }),
    byProduct: t.field({ type: [GroupType], description: 'By correlator product.', resolve: (ledger) => ledger.byProduct }),
    oldestUnreviewed: t.field({ type: OldestType, nullable: true, description: 'The oldest never-reviewed observation.', resolve: (ledger) => ledger.oldestUnreviewed }),
    continuumQaCoverage: t.field({ type: CoverageType, description: 'Coverage of continuum observations.', resolve: (ledger) => ledger.qaCoverage.continuum }),
    spectralLineQaCoverage: t.field({ type: CoverageType, description: 'Coverage of spectral-line observations.', resolve: (ledger) => ledger.qaCoverage.spectralLine }),
    archiveLatency: t.field({ type: LatencyType, description: 'Observation end to archived product.', resolve: (ledger) => ledger.archiveLatency }),
  }),
});

builder.queryFields((t) => ({
  unverifiedData: t.field({
    type: LedgerType,
    description: 'The unverified-data ledger.',
    args: {
      asOf: t.arg.string(AS_OF_ARG),
      now: t.arg.string(NOW_ARG),
      continuumMinOnTargetSeconds: t.arg.float({ required: false, description: 'On-target seconds for a continuum observation to qualify for QA; default 900.', validate: z.number().min(0) }),
      spectralLineMinOnTargetSeconds: t.arg.float({ required: false, description: 'On-target seconds for a spectral-line observation to qualify; default 10800.', validate: z.number().min(0) }),
    },
    resolve: async (_root, args, context) => {
      const view = await viewAt(context, args.asOf, args.now);
      return view.reads.unverifiedData({
        now: view.now,
        ...(args.continuumMinOnTargetSeconds == null ? {} : { continuumMinOnTargetSeconds: args.continuumMinOnTargetSeconds }),
        ...(args.spectralLineMinOnTargetSeconds == null ? {} : { spectralLineMinOnTargetSeconds: args.spectralLineMinOnTargetSeconds }),
      });
    },
  }),
}));
