import * as E from 'fp-ts/lib/Either.js';
import { describe, expect, it } from 'vitest';
import type { ChangeDeployed } from '../../domain/change.js';
import { fold } from '../../domain/event.js';
import { featureDecider } from '../../domain/feature.js';
import { commandsAfterChangeDeployed, type VerifiedFeatureLookup } from '../../domain/policy.js';
import { delivered, FEATURE_KEY, proposed, verificationRecorded } from './fixtures.js';

const deployed: ChangeDeployed = {
  type: 'ChangeDeployed',
  data: {
    changeId: 'SDP-REL-2.3',
    deploymentId: 'd-1',
    deployedAt: '2019-03-12T07:00:00Z',
    scope: { subarray: null, receptors: [], hosts: [] },
    components: ['katsdpcontroller', 'katsdpingest'],
    deliversFeatures: ['SDP-QUORUM'],
  },
};

const verifiedByComponent: Record<string, string[]> = {
  katsdpcontroller: [FEATURE_KEY, 'SDP-QUORUM', 'CAM-ALARMS'],
  katsdpingest: ['CAM-ALARMS'],
  katpoint: ['RTS-POINTING'],
};

const lookup: VerifiedFeatureLookup = {
  verifiedFeaturesWithComponent: (component) => verifiedByComponent[component] ?? [],
};

describe('commandsAfterChangeDeployed', () => {
  const commands = commandsAfterChangeDeployed(deployed, lookup);

  it('spares features whose evidence followed the deployment', () => {
    // CAM-ALARMS was verified with an observation that started after the deployment, so the
    // change was live during its evidence. The other feature's evidence came before it.
    const starts: Record<string, string> = { 'CAM-ALARMS': '2019-03-12T07:00:00Z', [FEATURE_KEY]: '2019-03-12T06:59:59Z' };
    const dated: VerifiedFeatureLookup = { ...lookup, evidenceStartOf: (featureKey) => starts[featureKey] };
    const suspects = commandsAfterChangeDeployed(deployed, dated)
      .filter((command) => command.type === 'MarkFeatureSuspect')
      .map((command) => command.data.featureKey);
    expect(suspects).toEqual([FEATURE_KEY]);
  });

  it('marks suspect when the evidence start is unknown', () => {
    const unknown: VerifiedFeatureLookup = { ...lookup, evidenceStartOf: () => undefined };
    const suspects = commandsAfterChangeDeployed(deployed, unknown)
      .filter((command) => command.type === 'MarkFeatureSuspect')
      .map((command) => command.data.featureKey);
    expect(suspects).toEqual(['CAM-ALARMS', FEATURE_KEY]);
  });

  it('delivers the named features', () => {
    expect(commands[0]).toEqual({
      type: 'DeliverFeature',
      data: { featureKey: 'SDP-QUORUM', changeId: 'SDP-REL-2.3', deliveredAt: '2019-03-12T07:00:00Z' },
    });
  });

  it('marks sharing features suspect', () => {
    expect(commands.slice(1)).toEqual([
      {
        type: 'MarkFeatureSuspect',
        data: {
          featureKey: 'CAM-ALARMS',
          changeId: 'SDP-REL-2.3',
          deployedAt: '2019-03-12T07:00:00Z',
          sharedComponents: ['katsdpcontroller', 'katsdpingest'],
          markedAt: '2019-03-12T07:00:00Z',
        },
      },
      {
        type: 'MarkFeatureSuspect',
        data: {
          featureKey: FEATURE_KEY,
          changeId: 'SDP-REL-2.3',
          deployedAt: '2019-03-12T07:00:00Z',
          sharedComponents: ['katsdpcontroller'],
          markedAt: '2019-03-12T07:00:00Z',
        },
      },
    ]);
  });

  it('leaves untouched features alone', () => {
    const keys = commands.map((command) => command.data.featureKey);
    expect(keys).not.toContain('RTS-POINTING');
  });

  it('makes a verified feature suspect', () => {
    const history = [proposed, delivered, verificationRecorded('passed')];
    const command = commands.find((candidate) => candidate.data.featureKey === FEATURE_KEY);
    if (command === undefined) {
      throw new Error('policy issued no command for the verified feature');
    }
    const decision = featureDecider.decide(command, fold(featureDecider, history));
    if (E.isLeft(decision)) {
      throw new Error(decision.left.message);
    }
    const state = fold(featureDecider, decision.right, fold(featureDecider, history));
    expect(state.status).toBe('suspect');
    expect(state.suspicions[0]?.changeId).toBe('SDP-REL-2.3');
  });
});
