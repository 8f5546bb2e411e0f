import fc from 'fast-check';
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { importEventId, uuidV5 } from '../../importers/ids.js';
import { findCaptureBlockIds, findIssueKeys, findScheduleBlockIds, isCaptureBlockId, isScheduleBlockId } from '../../importers/mentions.js';

describe('uuidV5', () => {
  it('matches the RFC example', () => {
    // Python: uuid.uuid5(uuid.NAMESPACE_DNS, 'www.example.com')
    expect(uuidV5('www.example.com', '6ba7b810-9dad-11d1-80b4-00c04fd430c8')).toBe('2ed6657d-e927-568b-95e1-2665a8aea6a2');
  });

  it('sets version and variant', () => {
    fc.assert(
      fc.property(fc.string(), (name) => {
        expect(uuidV5(name)).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
      }),
    );
  });

  it('rejects a bad namespace', () => {
    expect(() => uuidV5('x', 'not-a-uuid')).toThrow('"not-a-uuid" is not a UUID');
    // The namespace last used stays in use after a rejected one.
    expect(uuidV5('www.example.com', '6ba7b810-9dad-11d1-80b4-00c04fd430c8')).toBe('2ed6657d-e927-568b-95e1-2665a8aea6a2');
  });

  it('matches RFC 9562 for any name', () => {
    // The definition, step by step, with a fresh Hash object for each name.
    const reference = (name: string, namespace: string): string => {
      const digest = createHash('sha1').update(Buffer.from(namespace.replaceAll('-', ''), 'hex')).update(name, 'utf8').digest();
      digest[6] = ((digest[6] ?? 0) & 0x0f) | 0x50;
      digest[8] = ((digest[8] ?? 0) & 0x3f) | 0x80;
      const hex = digest.subarray(0, 16).toString('hex');
      return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
    };
    // Names longer than the reused buffer (over 1360 code units) and lone surrogates included.
    const names = fc.oneof(fc.string({ unit: 'binary' }), fc.string({ minLength: 1300, maxLength: 3000, unit: 'grapheme' }));
    fc.assert(
      fc.property(names, fc.uuid(), fc.boolean(), (name, namespace, ownNamespace) => {
        const used = ownNamespace ? namespace : '6f1d8a52-3c0e-4b7a-9f24-5e8d1c7b0a93';
        expect(uuidV5(name, used)).toBe(reference(name, used));
      }),
      { numRuns: 300 },
    );
  });
});

describe('importEventId', () => {
  it('repeats for the same record', () => {
    expect(importEventId('obslog', '1551803062')).toBe(importEventId('obslog', '1551803062'));
    expect(importEventId('obslog', '1551803062', 'started')).toBe(importEventId('obslog', '1551803062', 'started'));
  });

  it('differs by importer, key and part', () => {
    const ids = new Set([importEventId('obslog', '1551803062'), importEventId('sdpmc', '1551803062'), importEventId('obslog', '1552039941'), importEventId('obslog', '1551803062', 'end')]);
    expect(ids.size).toBe(4);
  });
});

describe('mentions', () => {
  it('finds issue keys', () => {
    expect(findIssueKeys('COMM-305 Generic skarab delaycal')).toEqual(['COMM-305']);
    expect(findIssueKeys('Relates to CB-1796 and implements SR-714, SPR1-2376.')).toEqual(['CB-1796', 'SR-714', 'SPR1-2376']);
    expect(findIssueKeys('SCI-20180516-MB-05 J2322-2650 CVE-2024-34069 COMM 1K')).toEqual([]);
  });

  it('finds capture blocks in range', () => {
    expect(findCaptureBlockIds("capture-init ('1552039941',) and 1551803062.")).toEqual(['1552039941', '1551803062']);
    expect(findCaptureBlockIds('phone 0123456789 or 9999999999, t=1552039941.5 s')).toEqual([]);
    expect(isCaptureBlockId('1262304000')).toBe(true);
    expect(isCaptureBlockId('1262303999')).toBe(false);
    expect(isCaptureBlockId('2208988799')).toBe(true);
    expect(isCaptureBlockId('2208988800')).toBe(false);
  });

  it('finds schedule blocks with real dates', () => {
    expect(findScheduleBlockIds('SB 20190308-0083 and 20190230-0001')).toEqual(['20190308-0083']);
  });

  it('needs schedule block dates to exist', () => {
    const digits = (count: number) => fc.string({ unit: fc.constantFrom(...'0123456789'), minLength: count, maxLength: count });
    const ids = fc.oneof(
      fc.tuple(fc.integer({ min: 1999, max: 2100 }), fc.integer({ min: 0, max: 13 }), fc.integer({ min: 0, max: 32 }), digits(4)).map(
        ([year, month, day, sequence]) => `${year}${String(month).padStart(2, '0')}${String(day).padStart(2, '0')}-${sequence}`,
      ),
      fc.string(),
    );
    fc.assert(
      fc.property(ids, (id) => {
        const match = /^(20\d{2})(\d{2})(\d{2})-(\d{4})$/.exec(id);
        const [year, month, day] = [Number(match?.[1]), Number(match?.[2]), Number(match?.[3])];
        const date = new Date(Date.UTC(year, month - 1, day));
        const exists = match !== null && date.getUTCFullYear() === year && date.getUTCMonth() === month - 1 && date.getUTCDate() === day;
        expect(isScheduleBlockId(id)).toBe(exists);
      }),
      { numRuns: 5000 },
    );
  });
});
