import * as E from 'fp-ts/lib/Either.js';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { calendarProblem, checkIsoUtc, checkKey, checkName, checkText, checkTitle, clipTitle, isIsoUtc, MAX_TITLE_LENGTH } from '../../domain/values.js';

describe('calendarProblem', () => {
  it.each([
    ['2019-02-30T00:00:00Z', 'February 2019 has 28 days'],
    ['2020-02-30T00:00:00Z', 'February 2020 has 29 days'],
    ['2019-04-31T12:00:00Z', 'April 2019 has 30 days'],
    ['2019-13-01T00:00:00Z', 'there is no month 13'],
    ['2019-00-10T00:00:00Z', 'there is no month 00'],
    ['2019-03-00T00:00:00Z', 'March 2019 has 31 days'],
    ['2019-03-08T24:00:00Z', 'hour 24 is not used; write 00:00 of the next day'],
    ['2019-03-08T25:00:00Z', 'there is no hour 25'],
    ['2019-03-08T12:60:00Z', 'there is no minute 60'],
    ['2016-12-31T23:59:60Z', 'a leap second (:60) cannot be stored; write :59'],
    ['2019-03-08T12:00:61Z', 'there is no second 61'],
    ['0000-01-01T00:00:00Z', 'the year 0 is outside 1900–2199'],
    ['9999-12-31T23:59:59Z', 'the year 9999 is outside 1900–2199'],
    ['1899-12-31T23:59:59Z', 'the year 1899 is outside 1900–2199'],
  ])('names what is wrong with %s', (value, problem) => {
    expect(calendarProblem(value)).toBe(problem);
    expect(isIsoUtc(value)).toBe(false);
  });

  it.each(['2020-02-29T23:59:59.999Z', '1900-01-01T00:00:00Z', '2199-12-31T23:59:59Z', '2019-03-05T16:24:22+02:00'])('accepts %s', (value) => {
    expect(calendarProblem(value)).toBeUndefined();
  });

  // 29 February 2000 exists; in 1900 and 2100 it does not.
  it('applies the century leap rule', () => {
    expect(calendarProblem('2000-02-29T00:00:00Z')).toBeUndefined();
    expect(calendarProblem('1900-02-29T00:00:00Z')).toBe('February 1900 has 28 days');
    expect(calendarProblem('2100-02-29T00:00:00Z')).toBe('February 2100 has 28 days');
  });

  it('agrees with Date on days', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1900, max: 2199 }), fc.integer({ min: 1, max: 12 }), fc.integer({ min: 1, max: 31 }), (year, month, day) => {
        const value = `${year}-${String(month).padStart(2, '0')}-${String(day).padStart(2, '0')}T12:00:00Z`;
        const exists = new Date(Date.UTC(year, month - 1, day)).getUTCDate() === day;
        expect(calendarProblem(value) === undefined).toBe(exists);
      }),
      { numRuns: 5000 },
    );
  });

  it('reads two-digit seconds only', () => {
    expect(calendarProblem('2019-03-08T12:30:61Z')).toBe('there is no second 61');
    expect(calendarProblem('2019-03-08T12:30')).toBeUndefined();
    expect(calendarProblem('2019-03-08T12:30:6')).toBeUndefined();
  });
});

describe('checkIsoUtc', () => {
  it('explains a day that does not exist', () => {
    const result = checkIsoUtc('deliveredAt', '2019-02-30T00:00:00Z');
    expect(E.isLeft(result)).toBe(true);
    expect(E.isLeft(result) ? result.left.message : '').toBe('deliveredAt "2019-02-30T00:00:00Z" is invalid; expected a time that exists (February 2019 has 28 days)');
  });

  it('asks for ISO 8601 when the shape is wrong', () => {
    const result = checkIsoUtc('deliveredAt', '5 March 2019');
    expect(E.isLeft(result)).toBe(true);
    expect(E.isLeft(result) ? result.left.message : '').toBe('deliveredAt "5 March 2019" is invalid; expected an ISO 8601 UTC timestamp such as 2019-03-05T16:24:22Z');
  });
});

describe('checkKey', () => {
  it.each([
    ['a NUL', 'X\u0000Y'],
    ['a direction override', 'k\u202eey'],
    ['a zero-width space', 'CBF\u200b-1'],
    ['an escape', 'CBF-\u001b[31m1'],
    ['a lone surrogate', 'CBF-\ud800'],
    ['a soft hyphen', 'CBF\u00ad-1'],
    ['an Arabic letter mark', 'CBF-\u061c1'],
    ['a combining grapheme joiner', 'CBF\u034f-1'],
    ['a decomposed letter', 'MU\u0308NSTER-1'],
  ])('rejects %s', (_name, key) => {
    const result = checkKey('featureKey', key);
    expect(E.isLeft(result)).toBe(true);
    expect(E.isLeft(result) ? result.left.message : '').toContain('expected a non-empty key without spaces, control or invisible characters, in composed form (NFC)');
  });

  it('accepts keys in other scripts and with emoji', () => {
    expect(E.isRight(checkKey('featureKey', 'MÜNSTER-1'))).toBe(true);
    expect(E.isRight(checkKey('featureKey', 'CBF-🛰'))).toBe(true);
  });
});

describe('checkName', () => {
  it.each([['SDP'], ['Science Data Processor'], ['cbf.fengine']])('accepts %s', (name) => {
    expect(E.isRight(checkName('subsystem', name))).toBe(true);
  });

  it.each([['a newline', 'XSYS\n# All clear'], ['a NUL', 'SDP\u0000'], ['an override', 'SDP\u202e'], ['a long name', 'S'.repeat(201)]])('rejects %s', (_name, name) => {
    expect(E.isLeft(checkName('subsystem', name))).toBe(true);
  });
});

describe('checkText', () => {
  it('rejects text of invisible characters only', () => {
    expect(E.isLeft(checkText('title', '\u200b\u200d '))).toBe(true);
  });

  it('keeps text with line breaks and tabs', () => {
    expect(E.isRight(checkText('notes', 'first\tline\nsecond'))).toBe(true);
  });

  it('needs a visible character', () => {
    const invisible = /[\u00ad\u034f\u061c\u115f\u1160\u17b4\u17b5\u180e\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u2069\u3164\uffa0\ufeff]/g;
    const units = fc.constantFrom(' ', '\t', '\n', '\u00a0', '\u2028', '\u3000', '\u200b', '\u00ad', '\ufeff', '\u2066', 'a', '\u00e9', '\ud83d');
    fc.assert(
      fc.property(fc.string({ unit: units, maxLength: 6 }), (text) => {
        expect(E.isRight(checkText('notes', text))).toBe(text.replace(invisible, '').trim() !== '');
      }),
      { numRuns: 5000 },
    );
  });
});

describe('checkTitle', () => {
  it('rejects a title past the limit with its length', () => {
    const result = checkTitle('title', 'x'.repeat(MAX_TITLE_LENGTH + 1));
    expect(E.isLeft(result)).toBe(true);
    expect(E.isLeft(result) ? result.left.message : '').toContain(`expected at most ${MAX_TITLE_LENGTH} characters (this one has ${MAX_TITLE_LENGTH + 1})`);
  });

  it('clips before a character that takes two code units', () => {
    const clipped = clipTitle('🛰'.repeat(MAX_TITLE_LENGTH));
    expect(clipped.endsWith('…')).toBe(true);
    expect(clipped.length).toBeLessThanOrEqual(MAX_TITLE_LENGTH);
    // No lone high surrogate before the ellipsis: the cut fell between whole characters.
    expect(/[\ud800-\udbff]…$/.test(clipped)).toBe(false);
  });

  it('clips a title from another system to the limit', () => {
    const clipped = clipTitle('y'.repeat(MAX_TITLE_LENGTH * 2));
    expect(clipped).toHaveLength(MAX_TITLE_LENGTH);
    expect(clipped.endsWith('…')).toBe(true);
    expect(E.isRight(checkTitle('summary', clipped))).toBe(true);
  });
});
