import { describe, expect, it } from 'vitest';
import { type CatalogueTarget, normaliseTargetName, parseCatalogue, parseTargetDescription, TargetIndex } from '../../importers/catalogue.js';
import { collect } from '../../importers/types.js';
import { fixture, memorySource } from './support.js';

async function targets(name: string): Promise<CatalogueTarget[]> {
  const { records, warnings } = await collect(parseCatalogue(fixture(name)));
  expect(warnings).toEqual([]);
  return records.map((item) => item.record);
}

describe('parseCatalogue', () => {
  it('reads the bandpass catalogue', async () => {
    const all = await targets('catalogue-lband-bandpass-calibrators.csv');
    expect(all).toHaveLength(23);
    expect(all.find((target) => target.name === 'J1939-6342')).toEqual({
      name: 'J1939-6342',
      aliases: ['1934-638'],
      bodyType: 'radec',
      tags: ['bpcal'],
      coordinates: ['19:39:25.0264', '-63:42:45.625'],
      fluxModel: { minFrequencyMHz: 408, maxFrequencyMHz: 8640, coefficients: [-30.7667, 26.4908, -7.0977, 0.605334] },
    });
  });

  it('reads the gain catalogue', async () => {
    const all = await targets('catalogue-lband-gain-calibrators.csv');
    expect(all).toHaveLength(108);
    expect(all[0]).toMatchObject({ name: 'J0010-4153', aliases: ['0008-421'], tags: ['gaincal'] });
    expect(all.find((target) => target.name === 'J0022+0014')?.fluxModel).toBeUndefined();
    expect(all.filter((target) => target.tags.includes('bpcal')).map((target) => target.name)).toContain('J0137+3309');
  });

  it('reads the compact dialect', async () => {
    const all = await targets('catalogue-ar1-cals.csv');
    expect(all).toHaveLength(132);
    expect(all[0]).toEqual({ name: 'J001053-415311', aliases: [], bodyType: 'radec', tags: ['gaincal'], coordinates: ['00:10:52.52', '-41:53:10.8'] });
    expect(all.find((target) => target.name === 'J193925-634243')?.aliases).toEqual(['1934-638']);
    // The source writes "+ 01:37:04.618030" with a space after the sign.
    expect(all.find((target) => target.name === 'J073918+013705')?.coordinates).toEqual(['07:39:18.033894', '+01:37:04.618030']);
  });

  it('warns on a bad line', async () => {
    const { records, warnings } = await collect(parseCatalogue(memorySource('bad.csv', '# comment\nJ0000+0000, planet gaincal, 1, 2\n3C286, radec bpcal, 13:31:08.28\n')));
    expect(records).toEqual([]);
    expect(warnings.map((warning) => warning.line)).toEqual([2, 3]);
    expect(warnings[0]?.message).toContain('"planet"');
  });
});

describe('parseTargetDescription', () => {
  it('reads the katdal dialect', () => {
    expect(parseTargetDescription('PKS 1934-63, radec bfcal single_accumulation, 19:39:25.03, -63:42:45.7')).toEqual({
      name: 'PKS 1934-63',
      aliases: [],
      bodyType: 'radec',
      tags: ['bfcal', 'single_accumulation'],
      coordinates: ['19:39:25.03', '-63:42:45.7'],
    });
  });

  it('reads special bodies', () => {
    expect(parseTargetDescription('Sun, special')).toMatchObject({ name: 'Sun', bodyType: 'special', coordinates: [] });
  });
});

describe('normaliseTargetName', () => {
  it('joins the spellings of one source', () => {
    expect(normaliseTargetName('PKS 1934-63')).toBe('B1934-63');
    expect(normaliseTargetName('PKS1934-638')).toBe('B1934-63');
    expect(normaliseTargetName('1934-638')).toBe('B1934-63');
    expect(normaliseTargetName('J1939-6342')).toBe('J1939-6342');
    expect(normaliseTargetName('J193925-634243')).toBe('J1939-6342');
    expect(normaliseTargetName('3c 48')).toBe('3C48');
  });
});

describe('TargetIndex', () => {
  async function index(): Promise<TargetIndex> {
    const built = new TargetIndex();
    for (const name of ['catalogue-lband-bandpass-calibrators.csv', 'catalogue-lband-gain-calibrators.csv', 'catalogue-ar1-cals.csv']) {
      for (const target of await targets(name)) built.add(target);
    }
    return built;
  }

  it('finds PKS 1934-63 as J1939-6342', async () => {
    const built = await index();
    expect(built.lookup('PKS 1934-63')?.name).toBe('J1939-6342');
    expect(built.sameTarget('PKS 1934-63', 'J1939-6342')).toBe(true);
    expect(built.sameTarget('PKS1934-638', '1934-638')).toBe(true);
    expect(built.sameTarget('J193925-634243', 'J1939-6342')).toBe(true);
    expect(built.sameTarget('PKS 1934-63', '3C286')).toBe(false);
  });

  it('answers tag lookups', async () => {
    const built = await index();
    expect(built.hasTag('PKS 1934-63', 'bpcal')).toBe(true);
    expect(built.hasTag('PKS 1934-63', 'gaincal')).toBe(false);
    expect(built.hasTag('J0010-4153', 'gaincal')).toBe(true);
    // The bandpass catalogue lists J0010-4153 as bpcal too, so the index contains both tags.
    expect(built.hasTag('0008-421', 'bpcal')).toBe(true);
    expect(built.hasTag('NoSuchSource', 'bpcal')).toBe(false);
  });
});
