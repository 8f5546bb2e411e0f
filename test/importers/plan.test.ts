import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { evolveFeature, initialFeatureState, type FeatureEvent, type FeatureState, type ProposeFeature } from '../../domain/index.js';
import type { ImportCommand, MapContext } from '../../importers/map.js';
import { parsePlan, parsePlanText, type PlanFeature } from '../../importers/plan.js';
import { mapPlan, planRevision } from '../../importers/plan.map.js';
import { collect, ImportError, type ImportWarning, type ParsedRecord } from '../../importers/types.js';
import { tempFolder } from '../support/temp.js';
import { fixture } from './support.js';

const examplePlan = fileURLToPath(new URL('../../examples/plan.yaml', import.meta.url));

function run(text: string): { records: ParsedRecord<PlanFeature>[]; warnings: ImportWarning[] } {
  const records: ParsedRecord<PlanFeature>[] = [];
  const warnings: ImportWarning[] = [];
  for (const item of parsePlanText('plan.yaml', text)) {
    if (item.kind === 'record') records.push(item);
    else warnings.push(item.warning);
  }
  return { records, warnings };
}

const valid = `features:
  - key: MKAIV-449
    title: Three-calibrator imaging
    subsystem: SDP
    components: [sdp.cal]
    wsjf: { businessValue: 13, timeCriticality: 5, riskReduction: 8, jobSize: 8, verificationEffort: 8 }
    criteria: { band: L, product: c856M4k, targetTags: [bpcal, gaincal] }
`;

describe('parsePlan on examples/plan.yaml', () => {
  it('reads the seven features', async () => {
    const { records, warnings } = await collect(parsePlan(examplePlan));
    expect(warnings).toEqual([]);
    expect(records.map((item) => item.record.key)).toEqual([
      'CBF-1K-START-DELAY',
      'COMM-305',
      'COM-304',
      'RTS-GAIN-STABILITY',
      'MKAIV-449',
      'SDP-L0-ARCHIVE',
      'SDP-CAPTURE-LIFECYCLE',
    ]);
  });

  it('cites the gain-stability requirement', async () => {
    const { records } = await collect(parsePlan(examplePlan));
    const gain = records.find((item) => item.record.key === 'RTS-GAIN-STABILITY')?.record;
    expect(gain?.requirements).toEqual(['R.RC.P.30', 'R.T.P.6']);
    expect(gain?.criteria.minOnTargetMinutes).toBe(20);
    const requirementText = readFileSync(fixture('requirement-gain-stability.txt'), 'utf8');
    for (const requirement of gain?.requirements ?? []) expect(requirementText).toContain(`${requirement}:`);
  });

  it('names the tickets of each feature', async () => {
    const { records } = await collect(parsePlan(examplePlan));
    const imaging = records.find((item) => item.record.key === 'MKAIV-449')!;
    const command = mapPlan({ actor: 'importer:plan', importedAt: '2026-12-05T06:00:00.000Z' } as MapContext)(imaging)[0]!.command as ProposeFeature;
    expect(command.data.ticketKeys).toEqual(['MKAIV-449']);
  });

  it('keeps scores on the scale', async () => {
    const { records } = await collect(parsePlan(examplePlan));
    const imaging = records.find((item) => item.record.key === 'MKAIV-449')?.record;
    expect(imaging?.wsjf).toEqual({ businessValue: 13, timeCriticality: 5, riskReduction: 8, jobSize: 8, verificationEffort: 8 });
    expect(imaging?.criteria).toEqual({ band: 'L', product: 'c856M4k', minReceptors: 4, minOnTargetMinutes: 3, targetTags: ['bpcal', 'gaincal'], afterDelivery: true });
  });
});

describe('parsePlanText', () => {
  it('fills defaults', () => {
    const { records, warnings } = run(valid);
    expect(warnings).toEqual([]);
    expect(records[0]?.record.requirements).toEqual([]);
    expect(records[0]?.record.criteria.afterDelivery).toBe(true);
    expect(records[0]?.locator).toEqual({ file: 'plan.yaml', line: 2, key: 'MKAIV-449' });
  });

  it('reads a feature without criteria', () => {
    const { records, warnings } = run(valid.replace('    criteria: { band: L, product: c856M4k, targetTags: [bpcal, gaincal] }\n', ''));
    expect(warnings).toEqual([]);
    expect(records[0]?.record.criteria).toEqual({ afterDelivery: true });
  });

  it('names the line of a bad score', () => {
    const { records, warnings } = run(valid.replace('jobSize: 8', 'jobSize: 7'));
    expect(records).toEqual([]);
    expect(warnings).toHaveLength(1);
    expect(warnings[0]?.line).toBe(6);
    expect(warnings[0]?.message).toContain('wsjf.jobSize');
    expect(warnings[0]?.message).toContain('1, 2, 3, 5, 8, 13, 20');
  });

  it('quotes a bad ticket key', () => {
    const { records, warnings } = run(valid.replace('components: [sdp.cal]', 'components: [sdp.cal]\n    tickets: [mkaiv-449]'));
    expect(records).toEqual([]);
    expect(warnings).toEqual([
      {
        file: 'plan.yaml',
        line: 6,
        message: 'tickets[0] "mkaiv-449": must be a Jira key such as MKAIV-449: a project key of two or more capitals or digits, a hyphen and an issue number without leading zeros; feature MKAIV-449 was not imported',
      },
    ]);
  });

  it('names the line of an unknown field', () => {
    const text = valid.replace('    components: [sdp.cal]\n', '    components: [sdp.cal]\n    componets: [x]\n');
    const { warnings } = run(text);
    expect(warnings[0]?.line).toBe(2);
    expect(warnings[0]?.message).toContain('componets');
  });

  it('names the line of a bad product', () => {
    const { warnings } = run(valid.replace('c856M4k', '4k'));
    expect(warnings.map((warning) => warning.line)).toEqual([7]);
    expect(warnings[0]?.message).toContain('c856M4k');
  });

  it('rejects duplicate keys', () => {
    const item = valid.slice('features:\n'.length);
    const { records, warnings } = run(`features:\n${item}${item}`);
    expect(records).toHaveLength(1);
    expect(warnings[0]?.message).toContain('already used on line 2');
  });

  it('rejects broken YAML with its line', () => {
    let caught: unknown;
    try {
      run('features:\n  - key: A-1\n   title: [unclosed\n');
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(ImportError);
    expect((caught as ImportError).message).toContain('plan.yaml:');
    expect((caught as ImportError).line).toBeGreaterThanOrEqual(2);
  });

  it('reads JSON plans', () => {
    const json = JSON.stringify({ features: [{ key: 'COM-304', title: 'Bandpass flattening', subsystem: 'CBF', components: ['cbf.eq-gains'], wsjf: { businessValue: 5, timeCriticality: 3, riskReduction: 5, jobSize: 2, verificationEffort: 2 }, criteria: {} }] }, null, 2);
    const { records, warnings } = run(json);
    expect(warnings).toEqual([]);
    expect(records[0]?.record.key).toBe('COM-304');
    expect(records[0]?.locator.line).toBe(3);
  });

  it('rejects a file without a features list', () => {
    expect(() => run('title: nothing\n')).toThrow(
      new ImportError('plan.yaml', 1, 'plan.yaml:1: no "features:" list found; a plan is a mapping with a "features:" list of features, see examples/plan.yaml'),
    );
  });

  it('rejects an empty features list', () => {
    expect(() => run('features: []\n')).toThrow('plan.yaml:1: "features:" lists no features; add at least one under it, see examples/plan.yaml');
  });

  it('raises a strict warning before yielding any feature', async () => {
    const folder = tempFolder('onsky-plan-');
    try {
      const file = join(folder.path, 'plan.yaml');
      writeFileSync(file, valid + valid.slice('features:\n'.length).replace('jobSize: 8', 'jobSize: 7').replace('MKAIV-449', 'MKAIV-450'));
      const yielded: unknown[] = [];
      await expect(
        (async () => {
          for await (const item of parsePlan(file, { strict: true })) yielded.push(item);
        })(),
      ).rejects.toThrow('wsjf.jobSize');
      expect(yielded).toEqual([]);
    } finally {
      folder.remove();
    }
  });
});

/** The time an import that revises a feature runs at. */
const REVISED_AT = '2026-12-06T08:00:00.000Z';

describe('plan proposal dates', () => {
  const context = { actor: 'importer:plan', importedAt: '2026-12-05T06:00:00.000Z' } as MapContext;
  const proposedAt = (text: string): string => (mapPlan(context)(run(text).records[0]!)[0]!.command as ProposeFeature).data.proposedAt;
  const withProposed = (value: string): string => valid.replace('    components: [sdp.cal]', `    components: [sdp.cal]\n    proposed: ${value}`);

  it('dates a plain entry at import', () => {
    expect(proposedAt(valid)).toBe('2026-12-05T06:00:00.000Z');
  });

  it('reads a date as its start', () => {
    expect(proposedAt(withProposed('2019-01-15'))).toBe('2019-01-15T00:00:00Z');
  });

  it('converts a zoned time to UTC', () => {
    expect(proposedAt(withProposed('2019-01-15T09:30:00+02:00'))).toBe('2019-01-15T07:30:00Z');
  });

  it('names a proposal date it cannot read', () => {
    const cases: Array<[string, string]> = [
      ['January 2019', 'must be a date such as 2019-01-15 or a time with a zone such as 2019-01-15T09:00:00Z'],
      ['2019-02-30', 'must be a time that exists'],
      ['2019-01-15T09:30:00', 'must be an ISO 8601 time with a zone'],
      ['1850-01-01', 'must be between the years 1900 and 2200'],
    ];
    for (const [value, message] of cases) {
      const { records, warnings } = run(withProposed(value));
      expect(records, value).toEqual([]);
      expect(warnings[0]?.message, value).toContain('proposed');
      expect(warnings[0]?.message, value).toContain(message);
      // The line of the proposed: field itself.
      expect(warnings[0]?.line, value).toBe(6);
    }
  });

  it('dates revisions at the import', () => {
    const dated = withProposed('2019-01-15');
    const feature = evolveFeature(initialFeatureState, { type: 'FeatureProposed', data: (mapPlan(context)(run(dated).records[0]!)[0]!.command as ProposeFeature).data });
    const edited = mapPlan(context)(run(dated.replace('businessValue: 13', 'businessValue: 20').replace('band: L', 'band: UHF')).records[0]!)[0]!;
    const revision = planRevision(edited, feature, 1, REVISED_AT);
    expect(revision?.items.map((item) => item.command.type)).toEqual(['RescoreFeature', 'SetEvidenceCriteria']);
    expect(revision?.items.map((item) => JSON.stringify(item.command.data))).toEqual([expect.stringContaining(`"rescoredAt":"${REVISED_AT}"`), expect.stringContaining(`"setAt":"${REVISED_AT}"`)]);
  });
});

describe('plan revisions', () => {
  const context = { actor: 'importer:plan', importedAt: '2026-12-05T06:00:00.000Z' } as MapContext;

  function proposal(text: string): ImportCommand {
    return mapPlan(context)(run(text).records[0]!)[0]!;
  }

  function proposedState(text: string): FeatureState {
    return evolveFeature(initialFeatureState, { type: 'FeatureProposed', data: (proposal(text).command as ProposeFeature).data });
  }

  it('rescores to the plan values', async () => {
    const feature = proposedState(valid);
    const edited = proposal(valid.replace('businessValue: 13', 'businessValue: 20'));
    const revision = planRevision(edited, feature, 1, REVISED_AT);
    expect(revision?.items.map((item) => item.command.type)).toEqual(['RescoreFeature']);
    expect(revision?.fixedChanged).toEqual([]);
  });

  it('gives a repeated value a new id', async () => {
    const feature = proposedState(valid);
    const edited = proposal(valid.replace('businessValue: 13', 'businessValue: 20'));
    const first = planRevision(edited, feature, 1, REVISED_AT)?.items[0]?.commandId;
    expect(planRevision(edited, feature, 1, REVISED_AT)?.items[0]?.commandId).toBe(first);
    expect(planRevision(edited, feature, 3, REVISED_AT)?.items[0]?.commandId).not.toBe(first);
  });

  it('proposes a feature with the tickets the plan names', () => {
    const command = proposal(valid.replace('components: [sdp.cal]', 'components: [sdp.cal]\n    tickets: [MKAIV-449, COMM-305]')).command as ProposeFeature;
    expect(command.data.ticketKeys).toEqual(['MKAIV-449', 'COMM-305']);
    expect((proposal(valid).command as ProposeFeature).data.ticketKeys).toEqual([]);
  });

  it('sets a changed ticket list, whatever its order', () => {
    const withTickets = valid.replace('components: [sdp.cal]', 'components: [sdp.cal]\n    tickets: [MKAIV-449, COMM-305]');
    const feature = proposedState(withTickets);
    expect(planRevision(proposal(withTickets.replace('[MKAIV-449, COMM-305]', '[COMM-305, MKAIV-449]')), feature, 1, REVISED_AT)?.items).toEqual([]);
    const revision = planRevision(proposal(withTickets.replace('[MKAIV-449, COMM-305]', '[MKAIV-449]')), feature, 1, REVISED_AT);
    expect(revision?.items.map((item) => [item.command.type, (item.command.data as { ticketKeys?: unknown }).ticketKeys])).toEqual([['SetFeatureTickets', ['MKAIV-449']]]);
    expect(revision?.fixedChanged).toEqual([]);
  });

  it('revises nothing on a withdrawn feature', async () => {
    const proposed = proposedState(valid);
    const withdrawn = evolveFeature(proposed, { type: 'FeatureWithdrawn', data: { featureKey: 'MKAIV-449', reason: 'descoped', withdrawnBy: 'lead', withdrawnAt: '2026-12-01T00:00:00Z' } } as FeatureEvent);
    const edited = proposal(valid.replace('businessValue: 13', 'businessValue: 20'));
    const revision = planRevision(edited, withdrawn, 2, REVISED_AT);
    expect(revision?.items).toEqual([]);
    expect(revision?.ignoredOnWithdrawn).toEqual(['scores']);
  });
});
