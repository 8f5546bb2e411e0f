/** Engineering changes: the change list (a connection), one change, configuration and what changed between observations. */
import { resolveArrayConnection } from '@pothos/plugin-relay';
import type { Deployment, DeploymentScope } from '../../domain/index.js';
import type { ChangeView } from '../../projections/entities.js';
import type { RollbackRecord } from '../../projections/model.js';
import type { ChangeBetween, ChangesBetween, ComponentConfiguration } from '../../projections/timeline.js';
import { builder } from './builder.js';
import { AS_OF_ARG, NOW_ARG, isoInstant, viewAt, type View, PAGE_SIZES } from './common.js';

export type ChangeShape = ChangeView & { readonly view: View };

const ScopeType = builder.objectRef<DeploymentScope>('DeploymentScope').implement({
  description: 'Extent of a deployment; empty lists mean the whole array.',
  fields: (t) => ({
    subarray: t.exposeString('subarray', { nullable: true, description: 'Subarray number or product name, e.g. array_1; null for every subarray.' }),
    receptors: t.exposeStringList('receptors', { description: 'Receptor names, e.g. m010.' }),
    hosts: t.exposeStringList('hosts', { description: 'Host names.' }),
  }),
});

const DeploymentType = builder.objectRef<Deployment>('Deployment').implement({
  description: 'One deployment of a change.',
  fields: (t) => ({
    deploymentId: t.exposeString('deploymentId', { description: 'Id of the deployment.' }),
    deployedAt: t.exposeString('deployedAt', { description: 'When it went into service (ISO 8601 UTC).' }),
    scope: t.field({ type: ScopeType, description: 'Where it was deployed.', resolve: (deployment) => deployment.scope }),
    rolledBackAt: t.exposeString('rolledBackAt', { nullable: true, description: 'When it was rolled back; null while in service.' }),
  }),
});

const RollbackType = builder.objectRef<RollbackRecord>('Rollback').implement({
  description: 'A rollback of a change.',
  fields: (t) => ({
    rolledBackAt: t.exposeString('rolledBackAt', { description: 'When (ISO 8601 UTC).' }),
    reason: t.exposeString('reason', { description: 'Why.' }),
    deploymentIds: t.exposeStringList('deploymentIds', { description: 'The deployments it ended.' }),
  }),
});

export const ChangeType = builder.node(builder.objectRef<ChangeShape>('Change'), {
  description: 'An engineering change: software, firmware, configuration, hardware, operating system or procedure.',
  id: { resolve: (change) => change.changeId },
  loadOne: (changeId, context) => changeShape({ reads: context.reads.current(), now: context.now }, changeId) ?? null,
  fields: (t) => ({
    changeId: t.exposeString('changeId', { description: 'Id of the change.' }),
    status: t.exposeString('status', { description: 'recorded, deployed or rolled-back.' }),
    kind: t.string({ description: 'software, firmware, configuration, hardware, operating-system or procedure.', resolve: (change) => change.definition.kind }),
    subsystem: t.string({ description: 'Subsystem, e.g. SDP.', resolve: (change) => change.definition.subsystem }),
    components: t.stringList({ description: 'Components it touches; deploying it makes verified features sharing one suspect.', resolve: (change) => [...change.definition.components] }),
    // The API keeps its empty text for "none" so clients do not change with ChangeRecorded version 2.
    version: t.string({ description: 'Release, firmware or package version; empty when none.', resolve: (change) => change.definition.version ?? '' }),
    summary: t.string({ description: 'What the change does.', resolve: (change) => change.definition.summary }),
    ticketKeys: t.stringList({ description: 'Tickets it names.', resolve: (change) => [...change.definition.ticketKeys] }),
    deliversFeatures: t.stringList({ description: 'Keys of the features it delivers.', resolve: (change) => [...change.definition.deliversFeatures] }),
    recordedAt: t.exposeString('recordedAt', { nullable: true, description: 'When it was recorded (ISO 8601 UTC).' }),
    recordedBy: t.exposeString('recordedBy', { nullable: true, description: 'Who recorded it.' }),
    deployments: t.field({ type: [DeploymentType], description: 'Deployments, oldest first.', resolve: (change) => change.deployments }),
    rollbacks: t.field({ type: [RollbackType], description: 'Rollbacks, oldest first.', resolve: (change) => change.rollbacks }),
    suspectFeatureKeys: t.exposeStringList('suspectFeatureKeys', { description: 'Features its deployments marked suspect.' }),
  }),
});

export function changeShape(view: View, changeId: string): ChangeShape | undefined {
  const change = view.reads.change(changeId);
  return change === undefined ? undefined : { ...change, view };
}

const ConfigurationType = builder.objectRef<ComponentConfiguration>('ComponentConfiguration').implement({
  description: 'The change live on a component at a time.',
  fields: (t) => ({
    component: t.exposeString('component', { description: 'Component name.' }),
    changeId: t.exposeString('changeId', { description: 'The change in service.' }),
    deploymentId: t.exposeString('deploymentId', { description: 'Its deployment.' }),
    deployedAt: t.exposeString('deployedAt', { description: 'When that deployment went into service (ISO 8601 UTC).' }),
    version: t.string({ description: "The change's version; empty when none.", resolve: (configuration) => configuration.version ?? '' }),
    summary: t.exposeString('summary', { description: "The change's summary." }),
  }),
});

const ChangeBetweenType = builder.objectRef<ChangeBetween>('ChangeBetween').implement({
  description: 'A deployment or rollback between two observations.',
  fields: (t) => ({
    changeId: t.exposeString('changeId', { description: 'The change.' }),
    action: t.exposeString('action', { description: 'deployed or rolled-back.' }),
    at: t.exposeString('at', { description: 'When (ISO 8601 UTC).' }),
    components: t.exposeStringList('components', { description: 'Components it touches.' }),
    summary: t.exposeString('summary', { description: "The change's summary." }),
  }),
});

const ChangesBetweenType = builder.objectRef<ChangesBetween>('ChangesBetween').implement({
  description: 'What changed between the starts of two observations.',
  fields: (t) => ({
    fromObservationId: t.exposeString('fromObservationId', { description: 'The earlier observation.' }),
    toObservationId: t.exposeString('toObservationId', { description: 'The later observation.' }),
    fromUtc: t.exposeString('fromUtc', { description: 'Start of the earlier observation (ISO 8601 UTC).' }),
    toUtc: t.exposeString('toUtc', { description: 'Start of the later observation (ISO 8601 UTC).' }),
    changes: t.field({ type: [ChangeBetweenType], description: 'Deployments and rollbacks after the earlier start and at or before the later one, in time order.', resolve: (between) => between.changes }),
  }),
});

builder.queryFields((t) => ({
  changes: t.connection({
    type: ChangeType,
    description: 'Every recorded change, ordered by id.',
    args: { asOf: t.arg.string(AS_OF_ARG), now: t.arg.string(NOW_ARG) },
    resolve: async (_root, args, context) => {
      const view = await viewAt(context, args.asOf, args.now);
      return resolveArrayConnection({ args, ...PAGE_SIZES }, view.reads.changes().map((change) => ({ ...change, view })));
    },
  }),
  change: t.field({
    type: ChangeType,
    nullable: true,
    description: 'One change; null when no change has the id.',
    args: { changeId: t.arg.string({ required: true, description: 'Id of the change.' }), asOf: t.arg.string(AS_OF_ARG), now: t.arg.string(NOW_ARG) },
    resolve: async (_root, args, context) => changeShape(await viewAt(context, args.asOf, args.now), args.changeId) ?? null,
  }),
  configuration: t.field({
    type: [ConfigurationType],
    description: 'Configuration in effect: for each component, the change that was live at `at`.',
    args: {
      at: t.arg.string({ required: true, description: 'The instant (ISO 8601 with a zone).', validate: isoInstant }),
      asOf: t.arg.string(AS_OF_ARG),
      now: t.arg.string(NOW_ARG),
    },
    resolve: async (_root, args, context) => (await viewAt(context, args.asOf, args.now)).reads.configurationAt(new Date(args.at).toISOString()),
  }),
  changesBetween: t.field({
    type: ChangesBetweenType,
    nullable: true,
    description: 'What changed between observation A and B; null when either is unknown or has no start.',
    args: {
      observationA: t.arg.string({ required: true, description: 'One observation id.' }),
      observationB: t.arg.string({ required: true, description: 'The other observation id; the order does not matter.' }),
      asOf: t.arg.string(AS_OF_ARG),
      now: t.arg.string(NOW_ARG),
    },
    resolve: async (_root, args, context) => (await viewAt(context, args.asOf, args.now)).reads.changesBetween(args.observationA, args.observationB) ?? null,
  }),
}));
