import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CommandHandler } from '../../api/commands/handler.js';
import type { OnskyCommand } from '../../domain/index.js';
import { openSqliteStore } from '../../store/sqlite.js';
import { definition } from '../domain/fixtures.js';
import { runCli } from '../support/cli.js';
import { tempFolder } from '../support/temp.js';

let folder: ReturnType<typeof tempFolder>;
let data: string;
/** Record time between the proposal and the delivery, for the as-of report. */
let betweenRecords: string;

/** A feature whose title carries markup, to prove the HTML report shows it as text. */
const hostileTitle = 'Delay <script>alert(1)</script> & phase';

beforeAll(async () => {
  folder = tempFolder('onsky-report-');
  data = join(folder.path, 'data');
  const store = openSqliteStore(join(data, 'events.sqlite'));
  const handler = new CommandHandler({ store });
  const propose: OnskyCommand = { type: 'ProposeFeature', data: { ...definition, title: hostileTitle, proposedBy: 'lead', proposedAt: '2026-11-01T08:00:00Z' } };
  await handler.handle(propose, { actor: 'lead' });
  await new Promise((resolve) => setTimeout(resolve, 20));
  betweenRecords = new Date().toISOString();
  await new Promise((resolve) => setTimeout(resolve, 20));
  const deliver: OnskyCommand = { type: 'DeliverFeature', data: { featureKey: definition.featureKey, deliveredAt: '2026-11-20T12:00:00Z' } };
  await handler.handle(deliver, { actor: 'lead' });
  await store.close();
});

afterAll(() => folder.remove());

describe('onsky report', () => {
  it('puts the signal before the list', async () => {
    const result = await runCli(['report', 'backpressure', '--data', data]);
    expect(result.code).toBe(0);
    const signal = result.stdout.indexOf('Signal: ');
    const table = result.stdout.indexOf('## Flow per subsystem');
    expect(signal).toBeGreaterThan(0);
    expect(table).toBeGreaterThan(signal);
    // One delivered, nothing verified: WIP 1 against a default limit of 0 is red.
    expect(result.stdout).toContain('Signal: RED');
  });

  it('ranks the waiting feature', async () => {
    const result = await runCli(['report', 'wsjf', '--format', 'json', '--data', data]);
    expect(result.code).toBe(0);
    const report = JSON.parse(result.stdout) as { kind: string; data: Array<{ featureKey: string; status: string; verificationWsjf: number }> };
    expect(report.kind).toBe('wsjf');
    expect(report.data.map((entry) => entry.featureKey)).toEqual(['CBF-1K-DELAY']);
    // Cost of delay 8 + 5 + 3 = 16 over a verification effort of 3.
    expect(report.data[0]!.verificationWsjf).toBeCloseTo(16 / 3, 6);
  });

  it('writes CSV with a header', async () => {
    const result = await runCli(['report', 'wsjf', '--format', 'csv', '--data', data]);
    const [header, row] = result.stdout.trim().split('\n');
    expect(header).toBe('rank,feature,title,subsystem,status,verification WSJF,days waiting,candidate observations');
    expect(row).toContain('1,CBF-1K-DELAY,Delay <script>alert(1)</script> & phase,CBF,delivered');
  });

  it('escapes markup in HTML', async () => {
    const result = await runCli(['report', 'wsjf', '--format', 'html', '--data', data]);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('Delay &lt;script&gt;alert(1)&lt;/script&gt; &amp; phase');
    expect(result.stdout).not.toContain('<script>');
  });

  it('reports as of a past time', async () => {
    const result = await runCli(['report', 'wsjf', '--format', 'json', '--as-of', betweenRecords, '--data', data]);
    expect(result.code).toBe(0);
    const report = JSON.parse(result.stdout) as { data: unknown[] };
    // Before the delivery was recorded nothing waited for verification.
    expect(report.data).toEqual([]);
  });

  it('uses the singular for one', async () => {
    for (const kind of ['wsjf', 'backpressure', 'unverified', 'coverage']) {
      for (const format of ['md', 'html', 'csv', 'json']) {
        const result = await runCli(['report', kind, '--format', format, '--data', data]);
        expect(result.code).toBe(0);
        expect(result.stdout, `${kind} ${format}`).not.toMatch(/(?<![\d.])1 (features|requirements|days|weeks|observed hours)\b/);
        expect(result.stdout, `${kind} ${format}`).not.toMatch(/\b(0|[2-9]|\d\d+) feature (waits|was)\b/);
      }
    }
    const wsjf = await runCli(['report', 'wsjf', '--data', data]);
    expect(wsjf.stdout).toContain('- 1 feature waits for verification on the sky');
    expect(wsjf.stdout).toContain('- It has waited ');
  });

  it('names review states as the API does', async () => {
    const result = await runCli(['report', 'unverified', '--format', 'json', '--data', data]);
    const ledger = (JSON.parse(result.stdout) as { data: { hoursByReviewState: Record<string, number> } }).data;
    expect(Object.keys(ledger.hoursByReviewState).sort()).toEqual(['automatedQa', 'discarded', 'imaged', 'inspected', 'neverReviewed']);
    expect(result.stdout).not.toContain('never-reviewed');
  });

  it('says so when nothing was observed', async () => {
    const result = await runCli(['report', 'unverified', '--data', data]);
    expect(result.stdout).toContain('- No observation was recorded by then.');
    expect(result.stdout).not.toContain('Every observation has had at least one review.');
  });

  it('measures with the clock --now sets, keeping every record', async () => {
    // The delivery on 2026-11-20 lies outside the 28 days to 2026-10-31 and inside those to 2026-12-01.
    const before = await runCli(['report', 'backpressure', '--format', 'json', '--now', '2026-10-31', '--data', data]);
    const during = await runCli(['report', 'backpressure', '--format', 'json', '--now', '2026-12-01', '--data', data]);
    const arrivals = (stdout: string): number => (JSON.parse(stdout) as { data: { overall: { flow: { arrivals: number } } } }).data.overall.flow.arrivals;
    expect(arrivals(before.stdout)).toBe(0);
    expect(arrivals(during.stdout)).toBe(1);
    expect(JSON.parse(during.stdout)).toMatchObject({ asOf: '2026-12-01T23:59:59.999Z', recordedUntil: null, happenedBy: '2026-12-01T23:59:59.999Z' });
    const cut = await runCli(['report', 'backpressure', '--format', 'json', '--as-of', '2026-12-02', '--now', '2026-12-01', '--data', data]);
    expect(JSON.parse(cut.stdout)).toMatchObject({ asOf: '2026-12-01T23:59:59.999Z', recordedUntil: '2026-12-02T23:59:59.999Z', happenedBy: '2026-12-01T23:59:59.999Z' });
    const asOfOnly = await runCli(['report', 'backpressure', '--format', 'json', '--as-of', '2026-12-02', '--data', data]);
    expect(JSON.parse(asOfOnly.stdout)).toMatchObject({ asOf: '2026-12-02T23:59:59.999Z', recordedUntil: '2026-12-02T23:59:59.999Z', happenedBy: null });
    const text = await runCli(['report', 'backpressure', '--now', '2026-12-01', '--data', data]);
    expect(text.stdout).toContain('As it happened by 2026-12-01T23:59:59.999Z, from every record.');
    const both = await runCli(['report', 'backpressure', '--format', 'html', '--as-of', '2026-12-02', '--now', '2026-12-01', '--data', data]);
    expect(both.stdout).toContain('<p>As it happened by 2026-12-01T23:59:59.999Z, from the records made by 2026-12-02T23:59:59.999Z.</p>');
    const plain = await runCli(['report', 'backpressure', '--as-of', '2026-12-02', '--data', data]);
    expect(plain.stdout).toContain('As of 2026-12-02T23:59:59.999Z.');
    const bad = await runCli(['report', 'backpressure', '--now', 'yesterday', '--data', data]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('--now "yesterday" is not a date (2019-03-08) or a time with a zone');
  });

  it('asks to verify when nothing was verified', async () => {
    const result = await runCli(['report', 'backpressure', '--data', data]);
    expect(result.stdout).toContain('Nothing was verified in the last 28 days: verify before delivering more (WIP 1); verify this one first (by WSJF): CBF-1K-DELAY');
    expect(result.stdout).toContain('1 feature was delivered but 0 verified in the last 28 days');
    expect(result.stdout).not.toContain('WIP ≤ 0');
  });

  it('names a bad report kind', async () => {
    const result = await runCli(['report', 'velocity', '--data', data]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('unknown report "velocity"');
  });

  it('names a bad as-of time', async () => {
    const result = await runCli(['report', 'wsjf', '--as-of', 'last tuesday', '--data', data]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('--as-of "last tuesday" is not a date');
  });

  it('names a subsystem no feature has', async () => {
    const wrongCase = await runCli(['report', 'wsjf', '--subsystem', 'cbf', '--data', data]);
    expect(wrongCase.code).toBe(2);
    expect(wrongCase.stderr.trim()).toBe('onsky report: no feature has subsystem "cbf"; write it as CBF');
    const unknown = await runCli(['report', 'wsjf', '--subsystem', 'XYZ', '--data', data]);
    expect(unknown.stderr.trim()).toBe('onsky report: no feature has subsystem "XYZ"; use one of CBF');
  });
});
