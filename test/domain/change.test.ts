import { describe, expect, it } from 'vitest';
import {
  changeDecider,
  currentDeployment,
  type ChangeCommand,
  type ChangeEvent,
  type DeploymentScope,
} from '../../domain/change.js';
import { fold } from '../../domain/event.js';
import { specFor } from './given.js';

const given = specFor(changeDecider);

const definition = {
  changeId: 'SDP-REL-2.3',
  kind: 'software' as const,
  subsystem: 'SDP',
  components: ['katsdpcontroller', 'katsdpingest'],
  version: 'katsdpcontroller 0.15.2',
  summary: 'Tolerate quorum stragglers at capture-init',
  ticketKeys: ['DEMO-2719'],
  deliversFeatures: ['SDP-QUORUM'],
};

const recordData = { ...definition, recordedBy: 'engineer', recordedAt: '2019-03-07T09:00:00Z' };
const record: ChangeCommand = { type: 'RecordChange', data: recordData };
const recorded: ChangeEvent = { type: 'ChangeRecorded', data: recordData };

const scope: DeploymentScope = { subarray: 'array_1', receptors: [], hosts: ['mc1.sdp.mkat.karoo.kat.ac.za'] };

function deploy(deploymentId: string, deployedAt: string): ChangeCommand {
  return { type: 'DeployChange', data: { changeId: 'SDP-REL-2.3', deploymentId, deployedAt, scope } };
}

function deployed(deploymentId: string, deployedAt: string): ChangeEvent {
  return {
    type: 'ChangeDeployed',
    data: {
      changeId: 'SDP-REL-2.3',
      deploymentId,
      deployedAt,
      scope,
      components: definition.components,
      deliversFeatures: definition.deliversFeatures,
    },
  };
}

const rollBackData = { changeId: 'SDP-REL-2.3', rolledBackAt: '2019-03-08T10:30:00Z', reason: 'ingest crashed at capture-init' };
const rollBack: ChangeCommand = { type: 'RollBackChange', data: rollBackData };
const rolledBack: ChangeEvent = { type: 'ChangeRolledBack', data: { ...rollBackData, deploymentIds: ['d-1'] } };

describe('RecordChange', () => {
  it('records a new change', () => {
    given([]).when(record).then([recorded]);
  });

  it('rejects an existing id', () => {
    const error = given([recorded]).when(record).thenError('ChangeAlreadyRecorded');
    expect(error.changeId).toBe('SDP-REL-2.3');
  });

  it('rejects an unknown kind', () => {
    const error = given([])
      .when({ type: 'RecordChange', data: { ...recordData, kind: 'kernel' } } as unknown as ChangeCommand)
      .thenError('InvalidValue');
    expect(error.field).toBe('kind');
    expect(error.expected).toContain('operating-system');
  });
});

describe('DeployChange', () => {
  it('deploys with components and features', () => {
    given([recorded]).when(deploy('d-1', '2019-03-08T08:00:00Z')).then([deployed('d-1', '2019-03-08T08:00:00Z')]);
  });

  it('rejects an unknown change', () => {
    given([]).when(deploy('d-1', '2019-03-08T08:00:00Z')).thenError('ChangeNotFound');
  });

  it('rejects a rolled-back deployment', () => {
    const error = given([recorded, deployed('d-1', '2019-03-08T08:00:00Z'), rolledBack])
      .when(deploy('d-1', '2019-03-09T08:00:00Z'))
      .thenError('DeploymentAlreadyRecorded');
    expect(error.rolledBack).toBe(true);
    expect(error.message).toContain('new deployment');
  });

  it('redeploys with a new record', () => {
    const history = [recorded, deployed('d-1', '2019-03-08T08:00:00Z'), rolledBack];
    const events = given(history).when(deploy('d-2', '2019-03-09T08:00:00Z')).then([deployed('d-2', '2019-03-09T08:00:00Z')]);
    const state = fold(changeDecider, [...history, ...events]);
    expect(state.status).toBe('deployed');
    expect(currentDeployment(state)?.deploymentId).toBe('d-2');
  });

  it('rejects a repeated deployment id', () => {
    const error = given([recorded, deployed('d-1', '2019-03-08T08:00:00Z')])
      .when(deploy('d-1', '2019-03-08T08:00:00Z'))
      .thenError('DeploymentAlreadyRecorded');
    expect(error.rolledBack).toBe(false);
  });
});

describe('RollBackChange', () => {
  it('rolls back deployments in service', () => {
    const history = [recorded, deployed('d-1', '2019-03-08T08:00:00Z')];
    const events = given(history).when(rollBack).then([rolledBack]);
    const state = fold(changeDecider, [...history, ...events]);
    expect(state.status).toBe('rolled-back');
    expect(state.deployments[0]?.rolledBackAt).toBe('2019-03-08T10:30:00Z');
    expect(currentDeployment(state)).toBeUndefined();
  });

  it('rejects a change never deployed', () => {
    const error = given([recorded]).when(rollBack).thenError('ChangeNotDeployed');
    expect(error.status).toBe('recorded');
  });

  it('rejects a second rollback', () => {
    given([recorded, deployed('d-1', '2019-03-08T08:00:00Z'), rolledBack]).when(rollBack).thenError('ChangeNotDeployed');
  });

  it('rejects an empty reason', () => {
    const error = given([recorded, deployed('d-1', '2019-03-08T08:00:00Z')])
      .when({ type: 'RollBackChange', data: { ...rollBackData, reason: '' } })
      .thenError('InvalidValue');
    expect(error.field).toBe('reason');
  });
});
