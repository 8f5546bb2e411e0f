/**
 * Engineering changes: a software release, firmware, configuration, hardware swap, operating-
 * system upgrade or procedure, recorded once, then deployed (time and scope) and rolled back.
 * Each deployment has its own id: a rolled-back deployment cannot be deployed again, so putting
 * a change back into service takes a new deployment record.
 */
import * as E from 'fp-ts/lib/Either.js';
import type { Decider, DomainCommand, DomainEvent } from './event.js';
import { changeNotFound, type DomainError } from './errors.js';
import { checkIsoUtc, checkKey, checkName, checkOneOf, checkText, checkTitle, firstError } from './values.js';

export const CHANGE_KINDS = [
  'software',
  'firmware',
  'configuration',
  'hardware',
  'operating-system',
  'procedure',
] as const;

export type ChangeKind = (typeof CHANGE_KINDS)[number];

export interface ChangeDefinition {
  readonly changeId: string;
  readonly kind: ChangeKind;
  readonly subsystem: string;
  /** Components the change touches; deploying it makes verified features sharing one suspect. */
  readonly components: readonly string[];
  /** Release, firmware or package version, e.g. `katsdpcontroller 0.15.2`; `null` when none. */
  readonly version: string | null;
  readonly summary: string;
  readonly ticketKeys: readonly string[];
  /** Keys of the features this change delivers. */
  readonly deliversFeatures: readonly string[];
}

/** Extent of a deployment. Empty lists mean the whole array. */
export interface DeploymentScope {
  /** Subarray number or product name, e.g. `array_1`; `null` for every subarray. */
  readonly subarray: string | null;
  /** Receptor names, e.g. `m010`. */
  readonly receptors: readonly string[];
  readonly hosts: readonly string[];
}

export type ChangeRecorded = DomainEvent<
  'ChangeRecorded',
  ChangeDefinition & { readonly recordedBy: string; readonly recordedAt: string }
>;

export type ChangeDeployed = DomainEvent<
  'ChangeDeployed',
  {
    readonly changeId: string;
    readonly deploymentId: string;
    readonly deployedAt: string;
    readonly scope: DeploymentScope;
    /** Copied from the change so that policies need no other stream. */
    readonly components: readonly string[];
    readonly deliversFeatures: readonly string[];
  }
>;

export type ChangeRolledBack = DomainEvent<
  'ChangeRolledBack',
  {
    readonly changeId: string;
    /** The deployments this rollback ends: every deployment in service at the time. */
    readonly deploymentIds: readonly string[];
    readonly rolledBackAt: string;
    readonly reason: string;
  }
>;

export type ChangeEvent = ChangeRecorded | ChangeDeployed | ChangeRolledBack;

/** ChangeRecorded version 1 wrote an empty `version` for "none"; domain/upcasters.ts reads it as version 2. */
export const changeEventSchemaVersions: Record<ChangeEvent['type'], number> = {
  ChangeRecorded: 2,
  ChangeDeployed: 1,
  ChangeRolledBack: 1,
};

export type RecordChange = DomainCommand<
  'RecordChange',
  ChangeDefinition & { readonly recordedBy: string; readonly recordedAt: string }
>;

export type DeployChange = DomainCommand<
  'DeployChange',
  { readonly changeId: string; readonly deploymentId: string; readonly deployedAt: string; readonly scope: DeploymentScope }
>;

export type RollBackChange = DomainCommand<
  'RollBackChange',
  { readonly changeId: string; readonly rolledBackAt: string; readonly reason: string }
>;

export type ChangeCommand = RecordChange | DeployChange | RollBackChange;

export type ChangeStatus = 'recorded' | 'deployed' | 'rolled-back';

export interface Deployment {
  readonly deploymentId: string;
  readonly deployedAt: string;
  readonly scope: DeploymentScope;
  readonly rolledBackAt: string | null;
}

export interface ChangeState {
  readonly status: ChangeStatus | 'absent';
  readonly definition: ChangeDefinition | null;
  readonly deployments: readonly Deployment[];
}

export const initialChangeState: ChangeState = { status: 'absent', definition: null, deployments: [] };

export function evolveChange(state: ChangeState, event: ChangeEvent): ChangeState {
  switch (event.type) {
    case 'ChangeRecorded': {
      const { recordedBy: _by, recordedAt: _at, ...definition } = event.data;
      return { status: 'recorded', definition, deployments: [] };
    }
    case 'ChangeDeployed': {
      const { deploymentId, deployedAt, scope } = event.data;
      const deployment: Deployment = { deploymentId, deployedAt, scope, rolledBackAt: null };
      return { ...state, status: 'deployed', deployments: [...state.deployments, deployment] };
    }
    case 'ChangeRolledBack': {
      const ended = new Set(event.data.deploymentIds);
      const deployments = state.deployments.map((deployment) =>
        ended.has(deployment.deploymentId) ? { ...deployment, rolledBackAt: event.data.rolledBackAt } : deployment,
      );
      return { ...state, status: 'rolled-back', deployments };
    }
  }
}

/** Returns the deployment in service most recently started, or `undefined`. */
export function currentDeployment(state: ChangeState): Deployment | undefined {
  return state.deployments.filter((deployment) => deployment.rolledBackAt === null).at(-1);
}

type Decision = E.Either<DomainError, readonly ChangeEvent[]>;

export function decideChange(command: ChangeCommand, state: ChangeState): Decision {
  switch (command.type) {
    case 'RecordChange':
      return record(command, state);
    case 'DeployChange':
      return deploy(command, state);
    case 'RollBackChange':
      return rollBack(command, state);
  }
}

export const changeDecider: Decider<ChangeCommand, ChangeEvent, ChangeState, DomainError> = {
  decide: decideChange,
  evolve: evolveChange,
  initialState: initialChangeState,
};

function record(command: RecordChange, state: ChangeState): Decision {
  const data = command.data;
  if (state.status !== 'absent') {
    return E.left({
      kind: 'ChangeAlreadyRecorded',
      message: `change ${data.changeId} is already recorded; use another id or deploy the existing change`,
      changeId: data.changeId,
    });
  }
  const error = firstError([
    checkKey('changeId', data.changeId),
    checkOneOf('kind', data.kind, CHANGE_KINDS),
    checkName('subsystem', data.subsystem),
    ...data.components.map((component) => checkName('components', component)),
    checkTitle('summary', data.summary),
    checkText('recordedBy', data.recordedBy),
    checkIsoUtc('recordedAt', data.recordedAt),
    ...data.deliversFeatures.map((key) => checkKey('deliversFeatures', key)),
  ]);
  return error === undefined ? E.right([{ type: 'ChangeRecorded', data: { ...data, version: versionOrNull(data.version) } }]) : E.left(error);
}

/**
 * Returns `null` for a missing or blank version. Callers written for ChangeRecorded version 1
 * (the git importer, old API clients) still pass an empty text for "none".
 */
export function versionOrNull(version: string | null | undefined): string | null {
  return version === null || version === undefined || version.trim() === '' ? null : version;
}

function deploy(command: DeployChange, state: ChangeState): Decision {
  const data = command.data;
  if (state.definition === null) {
    return E.left(changeNotFound(data.changeId));
  }
  const error = firstError([checkKey('deploymentId', data.deploymentId), checkIsoUtc('deployedAt', data.deployedAt)]);
  if (error !== undefined) {
    return E.left(error);
  }

  const earlier = state.deployments.find((deployment) => deployment.deploymentId === data.deploymentId);
  if (earlier !== undefined) {
    const rolledBack = earlier.rolledBackAt !== null;
    const why = rolledBack ? `was rolled back at ${earlier.rolledBackAt}` : 'is already recorded';
    return E.left({
      kind: 'DeploymentAlreadyRecorded',
      message: `deployment ${data.deploymentId} of change ${data.changeId} ${why}; record a new deployment with a new id`,
      changeId: data.changeId,
      deploymentId: data.deploymentId,
      rolledBack,
    });
  }

  const { components, deliversFeatures } = state.definition;
  return E.right([{ type: 'ChangeDeployed', data: { ...data, components, deliversFeatures } }]);
}

function rollBack(command: RollBackChange, state: ChangeState): Decision {
  const data = command.data;
  if (state.status === 'absent') {
    return E.left(changeNotFound(data.changeId));
  }
  const inService = state.deployments.filter((deployment) => deployment.rolledBackAt === null);
  if (inService.length === 0) {
    return E.left({
      kind: 'ChangeNotDeployed',
      message: `change ${data.changeId} is ${state.status} and has no deployment in service to roll back`,
      changeId: data.changeId,
      status: state.status,
    });
  }
  const error = firstError([checkIsoUtc('rolledBackAt', data.rolledBackAt), checkText('reason', data.reason)]);
  if (error !== undefined) {
    return E.left(error);
  }
  const deploymentIds = inService.map((deployment) => deployment.deploymentId);
  return E.right([{ type: 'ChangeRolledBack', data: { ...data, deploymentIds } }]);
}
