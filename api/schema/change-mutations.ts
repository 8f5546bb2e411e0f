/** Mutations of engineering changes: record, deploy, roll back. */
import { uuidV5 } from '../../importers/ids.js';
import { CHANGE_KINDS, type ChangeKind } from '../../domain/index.js';
import { z } from 'zod';
import { builder } from './builder.js';
import { changeShape, ChangeType } from './change.js';
import { isoInstant } from './common.js';
import { commandField, runCommand, timeOr } from './mutation.js';

const optionalTime = { required: false, description: 'When it happened (ISO 8601 with a zone); default now.', validate: isoInstant } as const;

const RecordChangeInput = builder.inputType('RecordChangeInput', {
  description: 'An engineering change; the recorder is the token holder.',
  fields: (t) => ({
    changeId: t.string({ required: true, description: 'Unique id without spaces, e.g. CHG-2019-031.' }),
    kind: t.string({
      required: true,
      description: `One of ${CHANGE_KINDS.join(', ')}.`,
      validate: z.enum(CHANGE_KINDS, { message: `kind must be one of ${CHANGE_KINDS.join(', ')}` }),
    }),
    subsystem: t.string({ required: true, description: 'Subsystem, e.g. SDP.' }),
    components: t.stringList({ required: true, description: 'Components it touches.' }),
    version: t.string({ required: false, description: 'Release or package version; default empty.' }),
    summary: t.string({ required: true, description: 'What the change does.' }),
    ticketKeys: t.stringList({ required: false, description: 'Tickets it names.' }),
    deliversFeatures: t.stringList({ required: false, description: 'Keys of the features it delivers.' }),
    recordedAt: t.string(optionalTime),
  }),
});

const ScopeInput = builder.inputType('DeploymentScopeInput', {
  description: 'Extent of a deployment; omitted lists mean the whole array.',
  fields: (t) => ({
    subarray: t.string({ required: false, description: 'Subarray, e.g. array_1; omitted for every subarray.' }),
    receptors: t.stringList({ required: false, description: 'Receptor names.' }),
    hosts: t.stringList({ required: false, description: 'Host names.' }),
  }),
});

const DeployChangeInput = builder.inputType('DeployChangeInput', {
  description: 'A deployment of a recorded change. Deploying delivers the features it names and makes verified features sharing a component suspect.',
  fields: (t) => ({
    changeId: t.string({ required: true, description: 'The change.' }),
    deploymentId: t.string({ required: false, description: 'Id of the deployment; default a UUID derived from the change, time and scope, so that a retry is recognised.' }),
    deployedAt: t.string(optionalTime),
    scope: t.field({ type: ScopeInput, required: false, description: 'Where; default the whole array.' }),
  }),
});

const RollBackChangeInput = builder.inputType('RollBackChangeInput', {
  description: 'Rolls back every deployment of a change in service.',
  fields: (t) => ({
    changeId: t.string({ required: true, description: 'The change.' }),
    reason: t.string({ required: true, description: 'Why.' }),
    rolledBackAt: t.string(optionalTime),
  }),
});

builder.mutationFields((t) => ({
  recordChange: t.field({
    type: ChangeType,
    description: 'Records an engineering change.',
    args: { input: t.arg({ type: RecordChangeInput, required: true, description: 'The change.' }) },
    ...commandField('recordChange'),
    resolve: async (_root, { input }, context) => {
      const { view } = await runCommand(context, {
        type: 'RecordChange',
        data: {
          changeId: input.changeId,
          kind: input.kind as ChangeKind,
          subsystem: input.subsystem,
          components: input.components,
          version: input.version ?? '',
          summary: input.summary,
          ticketKeys: input.ticketKeys ?? [],
          deliversFeatures: input.deliversFeatures ?? [],
          recordedBy: context.actor.name,
          recordedAt: timeOr(input.recordedAt),
        },
      });
      return changeShape(view, input.changeId)!;
    },
  }),
  deployChange: t.field({
    type: ChangeType,
    description: 'Deploys a change.',
    args: { input: t.arg({ type: DeployChangeInput, required: true, description: 'The deployment.' }) },
    ...commandField('deployChange'),
    resolve: async (_root, { input }, context) => {
      const deployedAt = timeOr(input.deployedAt);
      const scope = { subarray: input.scope?.subarray ?? null, receptors: input.scope?.receptors ?? [], hosts: input.scope?.hosts ?? [] };
      // Without an id, one derives from what is deployed, where and when, so that a retried
      // request gets DeploymentAlreadyRecorded instead of recording a second deployment.
      const deploymentId = input.deploymentId ?? uuidV5(`deployment\u0000${input.changeId}\u0000${deployedAt}\u0000${JSON.stringify(scope)}`);
      const { view } = await runCommand(context, { type: 'DeployChange', data: { changeId: input.changeId, deploymentId, deployedAt, scope } });
      return changeShape(view, input.changeId)!;
    },
  }),
  rollBackChange: t.field({
    type: ChangeType,
    description: 'Rolls back a change.',
    args: { input: t.arg({ type: RollBackChangeInput, required: true, description: 'The rollback.' }) },
    ...commandField('rollBackChange'),
    resolve: async (_root, { input }, context) => {
      const { view } = await runCommand(context, {
        type: 'RollBackChange',
        data: { changeId: input.changeId, reason: input.reason, rolledBackAt: timeOr(input.rolledBackAt) },
      });
      return changeShape(view, input.changeId)!;
    },
  }),
}));
