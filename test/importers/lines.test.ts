import { randomBytes } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ASCII, LATIN1, type LineEncoding, type LineItem, lineText, readLineBatches, readLines, readLinesInto, type TextLine, UTF8 } from '../../importers/lines.js';
import { ImportError, type ImportWarning, type ParsedWarning, sha256 } from '../../importers/types.js';
import { memorySource } from './support.js';

async function read(content: string | Uint8Array, options: { maxLineBytes?: number; chunkBytes?: number } = {}): Promise<{ lines: TextLine[]; warnings: ImportWarning[] }> {
  const items: LineItem[] = [];
  for await (const item of readLines(memorySource('test.log', content, options.chunkBytes), options)) items.push(item);
  return {
    lines: items.filter((item): item is TextLine => item.kind === 'line'),
    warnings: items.flatMap((item) => (item.kind === 'warning' ? [item.warning] : [])),
  };
}

describe('readLines', () => {
  it('splits on LF and numbers lines from 1', async () => {
    const { lines } = await read('first\nsecond\nthird\n');
    expect(lines.map((line) => [line.line, line.text])).toEqual([
      [1, 'first'],
      [2, 'second'],
      [3, 'third'],
    ]);
  });

  it('drops the CR of CRLF', async () => {
    const { lines } = await read('one\r\ntwo\r\n');
    expect(lines.map((line) => line.text)).toEqual(['one', 'two']);
    expect(lines[0]?.bytes.toString()).toBe('one');
  });

  it('keeps a last line without newline', async () => {
    const { lines } = await read('a\nb');
    expect(lines.map((line) => [line.line, line.text])).toEqual([
      [1, 'a'],
      [2, 'b'],
    ]);
  });

  it('keeps empty lines in the count', async () => {
    const { lines } = await read('a\n\nc\n');
    expect(lines.map((line) => line.line)).toEqual([1, 2, 3]);
    expect(lines[1]?.text).toBe('');
  });

  it('joins lines split across chunks', async () => {
    const text = 'alpha beta\ngamma délta\nepsilon\n';
    for (const chunkBytes of [1, 2, 3, 5, 7]) {
      const { lines, warnings } = await read(text, { chunkBytes });
      expect(lines.map((line) => line.text)).toEqual(['alpha beta', 'gamma délta', 'epsilon']);
      expect(warnings).toEqual([]);
    }
  });

  it('reads an empty file as no lines', async () => {
    const { lines, warnings } = await read('');
    expect(lines).toEqual([]);
    expect(warnings).toEqual([]);
  });

  it('strips a UTF-8 byte order mark', async () => {
    const { lines } = await read(Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from('x\n')]));
    expect(lines[0]?.text).toBe('x');
  });

  it('strips a byte order mark split over chunks', async () => {
    const { lines, warnings } = await read(Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from('x\ny\n')]), { chunkBytes: 1 });
    expect(lines.map((line) => line.text)).toEqual(['x', 'y']);
    expect(warnings).toEqual([]);
  });

  it('skips a long line with a warning', async () => {
    const long = 'x'.repeat(5000);
    const { lines, warnings } = await read(`short\n${long}\nafter\n`, { maxLineBytes: 1000, chunkBytes: 256 });
    expect(lines.map((line) => [line.line, line.text])).toEqual([
      [1, 'short'],
      [3, 'after'],
    ]);
    expect(warnings).toHaveLength(1);
    expect(warnings[0]?.line).toBe(2);
    expect(warnings[0]?.message).toContain('1000 bytes');
  });

  it('skips a long line inside one chunk', async () => {
    const { lines, warnings } = await read(`${'y'.repeat(300)}\nok\n`, { maxLineBytes: 100 });
    expect(lines.map((line) => line.text)).toEqual(['ok']);
    expect(warnings.map((warning) => warning.line)).toEqual([1]);
  });

  it('skips a long last line without newline', async () => {
    const { lines, warnings } = await read(`ok\n${'z'.repeat(3000)}`, { maxLineBytes: 1000, chunkBytes: 100 });
    expect(lines.map((line) => line.text)).toEqual(['ok']);
    expect(warnings.map((warning) => warning.line)).toEqual([2]);
  });

  it('names the limit in MiB for long lines', async () => {
    const { warnings } = await read(`ok\n${'w'.repeat(1024 * 1024 + 1)}\nafter\n`);
    expect(warnings).toHaveLength(1);
    expect(warnings[0]?.line).toBe(2);
    expect(warnings[0]?.message).toContain('longer than the limit of 1 MiB per line, so it was skipped');
    expect(warnings[0]?.message).toContain('split it into lines');
    expect(warnings[0]?.message).not.toContain('maxLineBytes');
  });

  it('rejects random bytes without NUL', async () => {
    const noise = Buffer.from(randomBytes(256 * 1024).filter((byte) => byte !== 0));
    // Small chunks, so the first chunk alone is too short to judge.
    const error = await read(noise, { chunkBytes: 512 }).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(ImportError);
    expect((error as ImportError).message).toMatch(/^test\.log is not text: \d+ % of the first 64 KiB are control characters/);
    expect((error as ImportError).message).toContain('save it as UTF-8 text');
  });

  it('rejects a short file of control bytes', async () => {
    const error = await read(Buffer.from('\u0001\u0002\u0003 ok\n\u0004\u0005\n', 'latin1')).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(ImportError);
    expect((error as ImportError).message).toContain('of its 10 bytes are control characters');
  });

  it('reads Latin-1 text with many accents', async () => {
    const line = "2019-03-05 16:24:22.230Z INFO     Été à Genève: déjà vu, façade, naïve, Ærø, Øresund, größer, señor";
    const content = Buffer.from(`${Array.from({ length: 2000 }, () => line).join('\n')}\n`, 'latin1');
    const { lines, warnings } = await read(content, { chunkBytes: 4096 });
    expect(lines).toHaveLength(2000);
    expect(lines[0]?.text).toBe(line);
    expect(lines[0]?.latin1).toBe(true);
    // Five lines get their own warning and one more counts the rest.
    expect(warnings).toHaveLength(6);
  });

  it('rejects NUL bytes naming the line', async () => {
    const error = await read(Buffer.from('one\ntwo\nth\u0000ree\n')).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(ImportError);
    expect((error as ImportError).line).toBe(3);
    expect((error as ImportError).message).toContain('test.log:3');
    expect((error as ImportError).message).toContain('binary');
  });

  it('rejects UTF-16 with a byte order mark', async () => {
    const utf16 = Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from('2019-03-05 INFO x\n', 'utf16le')]);
    const error = await read(utf16).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(ImportError);
    expect((error as ImportError).message).toContain('UTF-16');
    expect((error as ImportError).message).toContain('save it as UTF-8');
    expect((error as ImportError).message).toContain('test.log');
  });

  it('rejects UTF-16 without a byte order mark', async () => {
    const error = await read(Buffer.from('Mar 3 00:57:01 fwr3 kernel: md\n', 'utf16le')).catch((caught: unknown) => caught);
    expect((error as ImportError).message).toContain('UTF-16');
    const bigEndian = Buffer.from('abc\n', 'utf16le').swap16();
    const errorBe = await read(bigEndian).catch((caught: unknown) => caught);
    expect((errorBe as ImportError).message).toContain('UTF-16');
  });

  it('decodes Latin-1 with a warning', async () => {
    const latin1 = Buffer.concat([Buffer.from('ok\n'), Buffer.from('Observer: Müller, Gérard\n', 'latin1')]);
    const { lines, warnings } = await read(latin1);
    expect(lines[1]?.text).toBe('Observer: Müller, Gérard');
    expect(warnings).toHaveLength(1);
    expect(warnings[0]?.line).toBe(2);
    expect(warnings[0]?.message).toContain('Latin-1');
  });

  it('summarises many Latin-1 lines', async () => {
    const content = Buffer.from(Array.from({ length: 9 }, (_, index) => `caf\u00e9 ${index}\n`).join(''), 'latin1');
    const { lines, warnings } = await read(content);
    expect(lines).toHaveLength(9);
    expect(lines.every((line) => line.text.startsWith('café'))).toBe(true);
    expect(warnings).toHaveLength(6);
    expect(warnings[5]?.line).toBe(9);
    expect(warnings[5]?.message).toContain('4 more lines');
  });

  it('hashes the raw bytes', async () => {
    const raw = Buffer.concat([Buffer.from('Target: 3C273 → ∆\r\n'), Buffer.from('Observer: Müller\n', 'latin1')]);
    const { lines } = await read(raw);
    expect(lines[0]?.digest()).toBe(sha256(Buffer.from('Target: 3C273 → ∆')));
    expect(lines[1]?.latin1).toBe(true);
    expect(lines[1]?.digest()).toBe(sha256(Buffer.from('Observer: Müller', 'latin1')));
    expect(lines[1]?.digest()).not.toBe(sha256('Observer: Müller'));
  });

  it('keeps valid UTF-8 as UTF-8', async () => {
    const { lines, warnings } = await read('Target: 3C273 → ∆ 😀\n');
    expect(lines[0]?.text).toBe('Target: 3C273 → ∆ 😀');
    expect(warnings).toEqual([]);
  });

  describe('into a sink', () => {
    type Seen = { line: number; text: string; encoding: LineEncoding };
    const sinkRead = async (content: string | Uint8Array, line: (seen: Seen) => void = () => undefined): Promise<(Seen | ParsedWarning)[]> => {
      const items: (Seen | ParsedWarning)[] = [];
      const sink = {
        line(source: Buffer, start: number, end: number, lineNumber: number, encoding: LineEncoding, out: (Seen | ParsedWarning)[]): void {
          const seen = { line: lineNumber, text: lineText(source, start, end, encoding), encoding };
          line(seen);
          out.push(seen);
        },
      };
      for await (const batch of readLinesInto(memorySource('sink.log', content, 16), {}, sink)) items.push(...batch);
      return items;
    };

    it('gives each line its bytes and how they decode', async () => {
      expect(await sinkRead('plain\nlines\n')).toEqual([
        { line: 1, text: 'plain', encoding: ASCII },
        { line: 2, text: 'lines', encoding: ASCII },
      ]);
      expect(await sinkRead('plain\ncafé\n')).toEqual([
        { line: 1, text: 'plain', encoding: UTF8 },
        { line: 2, text: 'café', encoding: UTF8 },
      ]);
      const latin1 = Buffer.concat([Buffer.from('plain\n'), Buffer.from([0x63, 0x61, 0x66, 0xe9, 0x0a])]);
      expect(await sinkRead(latin1)).toEqual([
        { line: 1, text: 'plain', encoding: UTF8 },
        { kind: 'warning', warning: { file: 'sink.log', line: 2, message: expect.stringContaining('not valid UTF-8') } },
        { line: 2, text: 'café', encoding: LATIN1 },
      ]);
    });

    it('turns a failing sink into a warning on that line and reads on', async () => {
      const items = await sinkRead('one\ntwo\nthree\n', (seen) => {
        if (seen.text === 'two') throw new Error('cannot read two');
      });
      expect(items).toEqual([
        { line: 1, text: 'one', encoding: ASCII },
        { kind: 'warning', warning: { file: 'sink.log', line: 2, message: 'internal parser error, line skipped: cannot read two' } },
        { line: 3, text: 'three', encoding: ASCII },
      ]);
    });
  });

  describe('on a file', () => {
    let folder = '';
    beforeAll(async () => {
      folder = await mkdtemp(join(tmpdir(), 'onsky-lines-'));
    });
    afterAll(async () => {
      await rm(folder, { recursive: true, force: true });
    });

    it('streams a file larger than one chunk', async () => {
      const path = join(folder, 'big.log');
      const count = 60_000;
      await writeFile(path, Array.from({ length: count }, (_, index) => `line ${index} ${'x'.repeat(index % 50)}`).join('\n'));
      let seen = 0;
      let last: TextLine | undefined;
      for await (const item of readLines(path)) {
        if (item.kind !== 'line') throw new Error(`unexpected warning ${JSON.stringify(item)}`);
        expect(item.text.startsWith(`line ${seen} `)).toBe(true);
        seen += 1;
        last = item;
      }
      expect(seen).toBe(count);
      expect(last?.line).toBe(count);
    });

    it('keeps a line of the limit whose CR ends a batch', async () => {
      const path = join(folder, 'limit.log');
      // Filler of 65 515 bytes, then a line of exactly 20 bytes whose CR is byte 65 535, the
      // last of the first 64 KiB batch, and whose LF starts the next batch.
      const filler = `${'xxxxxxxxx\n'.repeat(6551)}yyyy\n`;
      await writeFile(path, `${filler}${'z'.repeat(20)}\r\nlast\r\n`);
      const items: LineItem[] = [];
      for await (const item of readLines(path, { maxLineBytes: 20 })) items.push(item);
      expect(items.filter((item) => item.kind === 'warning')).toEqual([]);
      const texts = items.flatMap((item) => (item.kind === 'line' ? [item.text] : []));
      expect(texts.slice(-2)).toEqual(['z'.repeat(20), 'last']);
      expect(texts).toHaveLength(6554);
    });

    it('yields batches of at most 64 KiB of lines from larger reads', async () => {
      const path = join(folder, 'batches.log');
      // About 2 MiB: several reads, with lines across the edges of reads and of batches.
      const lines = Array.from({ length: 90_000 }, (_, index) => `line ${index} ${'y'.repeat(index % 23)}`);
      const content = `${lines.join('\n')}\n`;
      await writeFile(path, content);
      const read: string[] = [];
      let batches = 0;
      let largest = 0;
      for await (const batch of readLineBatches(path)) {
        batches += 1;
        let bytes = 0;
        for (const item of batch) {
          if (item.kind !== 'line') throw new Error(`unexpected warning ${JSON.stringify(item)}`);
          read.push(item.text);
          bytes += item.text.length + 1;
        }
        largest = Math.max(largest, bytes);
      }
      expect(read).toEqual(lines);
      // A batch contains the whole lines of its 64 KiB and the line begun in the batch before.
      expect(largest).toBeLessThanOrEqual(64 * 1024 + 64);
      expect(batches).toBeGreaterThanOrEqual(Math.floor(content.length / (64 * 1024)));
    });
  });
});
