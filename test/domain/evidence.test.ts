import { describe, expect, it } from 'vitest';
import { matchEvidence, onTargetSeconds, type EvidenceFacts } from '../../domain/evidence.js';
import { definition, qualifyingObservation } from './fixtures.js';

const criteria = definition.evidenceCriteria;

function unmetNames(facts: EvidenceFacts): string[] {
  return matchEvidence(facts, criteria).map((unmet) => unmet.criterion);
}

describe('matchEvidence', () => {
  it('accepts a qualifying observation', () => {
    expect(matchEvidence(qualifyingObservation, criteria)).toEqual([]);
  });

  it('accepts everything without criteria', () => {
    const bare: EvidenceFacts = { observationId: 'x', receptors: [], targets: [], compoundScans: [] };
    expect(matchEvidence(bare, {})).toEqual([]);
  });

  it('compares band without case', () => {
    expect(unmetNames({ ...qualifyingObservation, band: 'l' })).toEqual([]);
    expect(unmetNames({ ...qualifyingObservation, band: 'UHF' })).toEqual(['band']);
  });

  it('reports an unknown band', () => {
    const { band: _band, ...unknown } = qualifyingObservation;
    const [unmet] = matchEvidence(unknown, criteria);
    expect(unmet?.actual).toBeNull();
    expect(unmet?.message).toBe('band is unknown, not L');
  });

  it('compares product exactly', () => {
    expect(unmetNames({ ...qualifyingObservation, product: 'c856m1k' })).toEqual(['product']);
  });

  it('counts distinct receptors', () => {
    const [unmet] = matchEvidence({ ...qualifyingObservation, receptors: ['m000', 'm000', 'm001', 'm002'] }, criteria);
    expect(unmet?.criterion).toBe('min-receptors');
    expect(unmet?.actual).toBe(3);
    expect(unmet?.required).toBe(4);
  });

  it('requires every target tag', () => {
    const gaincalOnly = { ...qualifyingObservation, targets: [{ name: 'PKS 1934-63', tags: ['gaincal'] }] };
    const unmet = matchEvidence(gaincalOnly, criteria);
    expect(unmet.map((item) => item.criterion)).toEqual(['target-tags', 'min-on-target-time']);
    expect(unmet[0]?.message).toBe('no observed target is tagged delaycal');
  });

  it('requires the scan kind', () => {
    const raster = { ...qualifyingObservation, compoundScans: [{ kind: 'raster', target: 'PKS 1934-63', durationSeconds: 300 }] };
    const [unmet] = matchEvidence(raster, criteria);
    expect(unmet?.criterion).toBe('scan-kind');
    expect(unmet?.message).toBe('no track compound scan (found: raster)');
  });

  it('requires minimum on-target time', () => {
    const short = { ...qualifyingObservation, compoundScans: [{ kind: 'track', target: 'PKS 1934-63', durationSeconds: 179.5 }] };
    const [unmet] = matchEvidence(short, criteria);
    expect(unmet?.criterion).toBe('min-on-target-time');
    expect(unmet?.message).toBe('179.5 s on target; at least 180 s are required');
  });

  it('checks the delivery time when given', () => {
    const [unmet] = matchEvidence(qualifyingObservation, criteria, { takenAfterUtc: '2019-03-08T10:12:22Z' });
    expect(unmet?.criterion).toBe('taken-after-delivery');
    expect(matchEvidence(qualifyingObservation, criteria, { takenAfterUtc: '2019-03-08T10:12:21Z' })).toEqual([]);
  });

  it('lists every unmet criterion', () => {
    const nothing: EvidenceFacts = { observationId: 'x', receptors: [], targets: [], compoundScans: [] };
    expect(matchEvidence(nothing, criteria, { takenAfterUtc: '2019-03-07T12:00:00Z' }).map((unmet) => unmet.criterion)).toEqual([
      'band',
      'product',
      'min-receptors',
      'target-tags',
      'scan-kind',
      'min-on-target-time',
      'taken-after-delivery',
    ]);
  });
});

describe('onTargetSeconds', () => {
  const facts: EvidenceFacts = {
    ...qualifyingObservation,
    targets: [
      { name: 'PKS 1934-63', tags: ['bpcal', 'delaycal'] },
      { name: 'J0010-4153', tags: ['gaincal'] },
      { name: 'NGC 253', tags: ['target'] },
    ],
    compoundScans: [
      { kind: 'track', target: 'PKS 1934-63', durationSeconds: 120 },
      { kind: 'track', target: 'J0010-4153', durationSeconds: 65 },
      { kind: 'track', target: 'NGC 253', durationSeconds: 1800 },
      { kind: 'track', target: 'J0010-4153', durationSeconds: 65 },
    ],
  };

  it('sums scans on tagged targets', () => {
    expect(onTargetSeconds(facts, { targetTags: ['gaincal'] })).toBe(130);
    expect(onTargetSeconds(facts, { targetTags: ['bpcal', 'gaincal'] })).toBe(250);
  });

  it('sums every scan without tags', () => {
    expect(onTargetSeconds(facts, {})).toBe(2050);
  });
});
