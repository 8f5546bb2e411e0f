/**
 * The web UI in real Chromium against a real onsky server on 127.0.0.1 with a temporary data
 * folder, seeded through the GraphQL API: every page renders its data, the verification form
 * explains unmet criteria and records a verification that a second open page shows live, an
 * import works through the page, the role decides which actions are offered, user text stays
 * text, and axe-core finds no serious or critical violation on any page.
 */
import { join } from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startApp, type RunningApp } from './app-server.js';
import { ensureUiBuilt, ROOT } from './build.js';
import { launchChromium, seriousAxeViolations } from './chromium.js';
import { graphqlClient, HOSTILE_TITLE, seed, type SeedMarks } from './seed.js';

let app: RunningApp;
let browser: Browser;
let closeBrowser: () => Promise<void>;
let marks: SeedMarks;
/** Admin token for setup; the first token ends the server's local single-user mode. */
let adminToken: string;
/** Token of the role the pages act as, unless a test passes another. */
let commissionerToken: string;
/** Contexts a test opened; closed after it, so that no page keeps subscriptions running. */
let contexts: BrowserContext[] = [];

async function createToken(role: string, token: string | null): Promise<string> {
  const created = await graphqlClient(app.baseUrl, token)(`mutation { createToken(role: ${role}, label: "ui test ${role.toLowerCase()}") { secret } }`);
  return (created['createToken'] as { secret: string }).secret;
}

beforeAll(async () => {
  await ensureUiBuilt();
  app = await startApp();
  marks = await seed(graphqlClient(app.baseUrl));
  adminToken = await createToken('ADMIN', null);
  commissionerToken = await createToken('COMMISSIONER', adminToken);
  ({ browser, close: closeBrowser } = await launchChromium());
}, 180_000);

afterEach(async () => {
  await Promise.all(contexts.map((context) => context.close()));
  contexts = [];
});

afterAll(async () => {
  await closeBrowser?.();
  await app?.stop();
});

/**
 * Opens the app at a hash route in a fresh context, with `token` (default the commissioner's)
 * in localStorage. The server's Content-Security-Policy forbids inline scripts, which would
 * block injecting axe-core, so the context bypasses it; the app itself needs no exception.
 */
async function open(route: string, token: string = commissionerToken, width = 1400): Promise<Page> {
  const context = await browser.newContext({ viewport: { width, height: 1000 }, bypassCSP: true });
  contexts.push(context);
  await context.addInitScript(`localStorage.setItem('onsky.token', ${JSON.stringify(token)})`);
  const page = await context.newPage();
  page.on('pageerror', (error) => {
    throw new Error(`page error on ${route}: ${error.message}`);
  });
  await page.goto(`${app.baseUrl}/${route}`);
  return page;
}

/** Every page of the app with text its data must show. */
const PAGE_CHECKS: readonly { readonly route: string; readonly text: readonly string[] }[] = [
  { route: '#/overview', text: ['Whole array', 'SDP', 'Waiting longest for verification', 'CBF-DELAY-TRACKING'] },
  { route: '#/features', text: ['SDP-NOISE-DIODE', 'Automatic noise-diode firing', 'CAM-SCHEDULER-UI'] },
  { route: '#/features/SDP-QUORUM', text: ['Quorum straggler tolerance', 'CHG-2019-040', 'no stragglers dropped the capture'] },
  { route: '#/queue', text: ['SDP-NOISE-DIODE', 'CBF-DELAY-TRACKING'] },
  { route: '#/changes', text: ['CHG-2019-031', 'katsdpcontroller 4.2'] },
  { route: '#/observations', text: ['1551803062', 'bandpass and delay calibration', 'Data gaps'] },
  { route: '#/unverified', text: ['Observed hours', 'COMM-305', 'c856M4k'] },
  { route: '#/traceability', text: ['R.RC.P.30', 'SDP-NOISE-DIODE'] },
  { route: '#/findings', text: ['FND-1', 'Restart the capture with the straggler excluded.'] },
  { route: '#/import', text: ['Drop a file here'] },
];

/** Waits until the page's heading is shown and no data is still loading. */
async function waitForData(page: Page): Promise<void> {
  await page.getByRole('heading', { level: 1 }).first().waitFor();
  await expect.poll(() => page.getByText('Loading…').count(), { timeout: 15_000 }).toBe(0);
}

describe('browser pages', () => {
  it.each(PAGE_CHECKS)('$route renders its data', async ({ route, text }) => {
    const page = await open(route);
    for (const expected of text) {
      await expect(page.getByText(expected, { exact: false }).first().waitFor({ timeout: 15_000 })).resolves.toBeUndefined();
    }
  });

  it('overview draws both charts', async () => {
    const page = await open('#/overview');
    await page.locator('onsky-time-chart canvas').nth(1).waitFor({ timeout: 15_000 });
    expect(await page.locator('onsky-time-chart canvas').count()).toBeGreaterThanOrEqual(2);
  });

  it('overview charts hours per review state', async () => {
    const page = await open('#/overview');
    const chart = page.locator('onsky-time-chart').filter({ hasText: 'Observing hours by month and review state' });
    await chart.locator('canvas').waitFor({ timeout: 15_000 });

    const states = ['Never reviewed', 'Automated QA only', 'Inspected', 'Imaged', 'Discarded'];
    await expect(chart.locator('.legend li').allTextContents()).resolves.toEqual(states);
    await expect(chart.locator('thead th').allTextContents()).resolves.toEqual(['When', ...states, 'Total']);

    // Every seeded observation starts in March 2019. Hours from the seed: 1551803062 (60 min,
    // inspected) 1; 1551890000 (120 min, automated QA) 2; 1552039941 (45 min) and 1552100000
    // (30 min), never reviewed, 0.75 + 0.5 = 1.25; in total 4.25.
    const rows = chart.locator('tbody tr');
    await expect(rows.count()).resolves.toBe(1);
    await expect(rows.first().locator('th, td').allTextContents()).resolves.toEqual(['2019-03', '1.25', '2', '1', '0', '0', '4.25']);
    await expect(chart.locator('#summary').textContent()).resolves.toBe(
      '1 bar. 2019-03: 4.25 hours in total (Never reviewed 1.25, Automated QA only 2, Inspected 1, Imaged 0, Discarded 0).',
    );
    await expect(chart.locator('.plot').getAttribute('aria-describedby')).resolves.toBe('summary');
  });

  it('sizes a short table to its rows', async () => {
    const page = await open('#/changes');
    await page.getByText('CHG-2019-031').first().waitFor({ timeout: 15_000 });
    const sizes = await page.evaluate(`(() => {
      const table = document.querySelector('onsky-app').shadowRoot
        .querySelector('onsky-changes-page').shadowRoot.querySelector('onsky-table').shadowRoot;
      const body = table.querySelector('lit-virtualizer');
      const rows = [...body.querySelectorAll('[role=row]')];
      return { body: body.getBoundingClientRect().height, rows: rows.reduce((sum, row) => sum + row.getBoundingClientRect().height, 0), count: rows.length };
    })()`) as { body: number; rows: number; count: number };
    expect(sizes.count).toBeGreaterThan(1);
    // No strip of empty space under the last row, and no scroll bar for rows that fit.
    expect(Math.abs(sizes.body - sizes.rows)).toBeLessThan(1);
  });

  it('feature page shows suspicion cause', async () => {
    const page = await open('#/features/SDP-QUORUM');
    await page.getByText('suspect', { exact: true }).first().waitFor();
    await page.getByRole('cell', { name: 'sdp.controller' }).waitFor();
  });

  it('observation filters narrow results', async () => {
    const page = await open('#/observations?band=UHF');
    await page.getByText('1 observations match').waitFor();
    await page.getByRole('link', { name: '1552100000' }).waitFor();
    expect(await page.getByRole('link', { name: '1551803062' }).count()).toBe(0);
  });

  it('open observation fits beside the table', async () => {
    const page = await open('#/observations?observation=1551803062');
    await page.getByRole('heading', { name: '1551803062' }).waitFor();
    const table = page.locator('onsky-table');
    await table.getByRole('columnheader', { name: 'Review' }).waitFor();
    expect(await table.getByRole('columnheader', { name: 'Proposal' }).count()).toBe(0);
    // Nothing of the table hides behind a sideways scroll at the test's 1400 px.
    const overflow = await table.evaluate((element) => {
      const scroll = element.shadowRoot!.querySelector('.scroll')!;
      return scroll.scrollWidth - scroll.clientWidth;
    });
    expect(overflow).toBeLessThanOrEqual(0);
  });

  it('observations table fits a 1024 px screen', async () => {
    const page = await open('#/observations', commissionerToken, 1024);
    const table = page.locator('onsky-table');
    await table.getByRole('link', { name: '1551803062' }).waitFor();
    await table.getByRole('columnheader', { name: 'Review' }).waitFor();
    expect(await table.getByRole('columnheader', { name: 'Anomalies' }).count()).toBe(1);
    expect(await table.getByRole('columnheader', { name: 'Proposal' }).count()).toBe(0);
    const overflow = await table.evaluate((element) => {
      const scroll = element.shadowRoot!.querySelector('.scroll')!;
      return scroll.scrollWidth - scroll.clientWidth;
    });
    expect(overflow).toBeLessThanOrEqual(0);
  });

  it('unverified group cards show whole tables', async () => {
    const page = await open('#/unverified');
    await page.getByRole('region', { name: 'By proposal' }).waitFor();
    for (const name of ['By proposal', 'By band', 'By product', 'By month']) {
      const card = page.getByRole('region', { name });
      const clipped = await card.evaluate((element) => element.scrollWidth - element.clientWidth);
      expect(clipped, name).toBeLessThanOrEqual(0);
    }
  });

  it('change detail lists delivered features', async () => {
    const page = await open('#/changes?change=CHG-2019-031');
    await page.getByRole('heading', { name: /CHG-2019-031/ }).waitFor();
    await page.getByRole('link', { name: 'SDP-NOISE-DIODE' }).first().waitFor();
  });

  it('timeline filters to observations', async () => {
    const page = await open('#/changes?kinds=observations');
    await page.getByRole('link', { name: '1552100000' }).waitFor();
    expect(await page.getByRole('link', { name: 'CHG-2019-031' }).count()).toBe(0);
  });

  it('changes between two observations', async () => {
    const page = await open('#/changes?from=1551890000&to=1552039941');
    const between = page.locator('ol.timeline li', { hasText: 'CHG-2019-040' });
    await between.waitFor();
    await expect(between.textContent()).resolves.toContain('deployed');
    expect(await page.locator('ol.timeline li', { hasText: 'CHG-2019-031' }).count()).toBe(0);
  });

  it('time control shows the past', async () => {
    const page = await open(`#/features?asOf=${encodeURIComponent(marks.afterProposals)}`);
    await page.getByText('Showing the state as of').waitFor();
    await page.getByText('4 proposed').waitFor();
    expect(await page.getByText('1 verified').count()).toBe(0);
  });

  it('time control measures at a past clock', async () => {
    const page = await open('#/features');
    const control = page.locator('onsky-time-control');
    await control.getByLabel('Time (UTC)').fill('2019-03-11T08:00');
    await control.getByLabel('Which records count').selectOption('now');
    await control.getByRole('button', { name: 'Show' }).click();
    await page.getByText('Showing what had happened by 2019-03-11 08:00 UTC, from every record').waitFor();
    expect(new URL(page.url()).hash).toContain('now=2019-03-11T08%3A00%3A00Z');
    // Delivered by the deployment of 2019-03-01 08:00, so ten days waiting at the chosen clock.
    const days = page.getByRole('row', { name: /SDP-NOISE-DIODE/ }).getByRole('cell').last();
    await expect.poll(() => days.textContent()).toBe('10');
    // Every record still counts: the feature verified on 2019-03-07 and made suspect by a later
    // deployment shows as suspect, where an as-of view of that time would show none of it.
    await expect.poll(() => page.getByRole('row', { name: /SDP-QUORUM/ }).textContent()).toContain('suspect');
  });

  it('time control follows the URL', async () => {
    const page = await open('#/features?now=2019-03-11');
    // A date means the end of that day in UTC, as the API reads it.
    await page.getByText('Showing what had happened by 2019-03-11 23:59 UTC, from every record').waitFor();
    const control = page.locator('onsky-time-control');
    await expect.poll(() => control.getByLabel('Which records count').inputValue()).toBe('now');
    await expect(control.getByLabel('Time (UTC)').inputValue()).resolves.toBe('2019-03-11T23:59');
    await page.evaluate(() => (location.hash = '#/features?asOf=2019-03-10T00:00:00Z'));
    await page.getByText('Showing the state as of 2019-03-10 00:00 UTC').waitFor();
    await expect.poll(() => control.getByLabel('Which records count').inputValue()).toBe('asOf');
    // An unreadable time shows the live state rather than a banner with the text.
    await page.evaluate(() => (location.hash = '#/features?now=garbage'));
    await expect.poll(() => page.getByText('Showing what had happened by').count()).toBe(0);
    expect(await page.getByText('Showing the state as of').count()).toBe(0);
  });

  it('observations as they happened', async () => {
    // Started 03-05 and 03-06; 1552039941 (03-08) had not started by the end of 03-06.
    const page = await open('#/observations?now=2019-03-06');
    await page.getByText('Showing what had happened by 2019-03-06 23:59 UTC').waitFor();
    const table = page.locator('onsky-table');
    await table.getByRole('link', { name: '1551890000' }).waitFor();
    expect(await table.getByRole('link', { name: '1551803062' }).count()).toBe(1);
    expect(await table.getByRole('link', { name: '1552039941' }).count()).toBe(0);
    expect(await table.getByRole('link', { name: '1552100000' }).count()).toBe(0);
  });

  it('clock view turns actions off', async () => {
    const page = await open('#/queue?feature=SDP-NOISE-DIODE&now=2019-03-11T08:00:00Z');
    await page.getByText('Press Now in the time control to record a verification.').waitFor();
    expect(await page.locator('onsky-verify-form').count()).toBe(0);
    await page.locator('onsky-time-control').getByRole('button', { name: 'Now' }).click();
    await page.locator('onsky-verify-form').waitFor();
  });

  it('Now by keyboard keeps the focus', async () => {
    const page = await open('#/features?asOf=2019-03-10T00:00:00Z');
    await page.getByText('Showing the state as of 2019-03-10 00:00 UTC').waitFor();
    const now = page.locator('onsky-time-control').getByRole('button', { name: 'Now' });
    await now.focus();
    await page.keyboard.press('Enter');
    await expect.poll(() => page.getByText('Showing the state as of').count()).toBe(0);
    // The focus is on the time field inside the control, not dropped to the page.
    const focused = await page.evaluate('(() => { let element = document.activeElement; while (element?.shadowRoot?.activeElement) element = element.shadowRoot.activeElement; return element?.id || element?.tagName; })()');
    expect(focused).toBe('as-of');
  });

  it('finding text stays text', async () => {
    const page = await open('#/findings');
    await page.getByText(HOSTILE_TITLE).waitFor();
    expect(await page.locator('onsky-findings-page img').count()).toBe(0);
    expect(await page.evaluate('window.__injected')).toBeUndefined();
  });
});

describe('browser verification', () => {
  it('form lists unmet criteria', async () => {
    const page = await open('#/queue?feature=SDP-NOISE-DIODE');
    const form = page.locator('onsky-verify-form');
    await form.getByPlaceholder('1551803062, sb-20190308-0083').fill('1552100000');
    await form.getByRole('button', { name: 'Check evidence' }).click();
    const check = form.locator('.check.unmet');
    await check.waitFor();
    await expect(check.textContent()).resolves.toContain('1552100000 does not qualify');
    await expect(check.textContent()).resolves.toMatch(/band/i);
    await expect(form.getByRole('button', { name: 'Record verification' }).isDisabled()).resolves.toBe(true);
  });

  it('rejected action shows server message', async () => {
    const page = await open('#/queue?feature=CBF-DELAY-TRACKING');
    const form = page.locator('onsky-verify-form');
    await form.getByPlaceholder('1551803062, sb-20190308-0083').fill('999999');
    await form.getByLabel('Outcome').selectOption('FAILED');
    await form.getByRole('button', { name: 'Check evidence' }).click();
    await form.getByText('999999: no observation has this id').waitFor();
    await form.getByRole('button', { name: 'Record verification' }).click();
    await form.getByRole('alert').waitFor();
    await expect(form.getByRole('alert').textContent()).resolves.toContain('999999');
  });

  it('recorded verification appears live elsewhere', async () => {
    const board = await open('#/features?status=verified');
    const queue = await open('#/queue');
    await board.getByText('0 features').waitFor();
    await queue.getByText('SDP-NOISE-DIODE').first().waitFor();

    const page = await open('#/queue?feature=SDP-NOISE-DIODE');
    const form = page.locator('onsky-verify-form');
    await form.getByRole('checkbox').first().check();
    await form.getByText('qualifies.').first().waitFor();
    await form.getByRole('button', { name: 'Record verification' }).click();
    // The confirmation stays on the page after the feature, and its form, leave the queue.
    await page.locator('p[role="status"]').filter({ hasText: 'Recorded: SDP-NOISE-DIODE passed' }).waitFor({ timeout: 60_000 });

    // No reload: the other pages learn of it through the subscription.
    await board.getByRole('link', { name: 'SDP-NOISE-DIODE' }).waitFor({ timeout: 20_000 });
    await queue.getByRole('link', { name: 'SDP-NOISE-DIODE' }).waitFor({ state: 'detached', timeout: 20_000 });
  });
});

describe('browser review', () => {
  it('double press records one review', async () => {
    const page = await open('#/observations?observation=1552100000');
    // The review's response is delayed by a second, so the second press lands while it records.
    await page.route('**/graphql', async (route) => {
      if (route.request().postData()?.includes('reviewObservation') === true) await new Promise((resolve) => setTimeout(resolve, 1000));
      await route.continue();
    });
    const form = page.getByRole('form', { name: 'Record a review' });
    await form.getByLabel('Notes').fill('UHF track checked once');
    await form.getByRole('button', { name: 'Record review' }).dblclick();
    await page.getByText(/^Recorded the .* review\.$/).waitFor();
    const reviews = page.getByRole('listitem').filter({ hasText: 'UHF track checked once' });
    await reviews.first().waitFor();
    expect(await reviews.count()).toBe(1);
  });

  it('busy state stays with its observation', async () => {
    const page = await open('#/observations?observation=1552039941');
    // The review's response waits until the test lets it go.
    let release = (): void => undefined;
    const released = new Promise<void>((resolve) => (release = resolve));
    await page.route('**/graphql', async (route) => {
      if (route.request().postData()?.includes('reviewObservation') === true) await released;
      await route.continue();
    });
    const form = page.getByRole('form', { name: 'Record a review' });
    await form.getByLabel('Notes').fill('1K delaycal checked');
    await form.getByRole('button', { name: 'Record review' }).click();
    await form.getByRole('button', { name: 'Recording…' }).waitFor();

    // Another observation opened meanwhile can be reviewed and shows no outcome of the first.
    await page.evaluate(() => (location.hash = '#/observations?observation=1551890000'));
    await page.getByRole('heading', { name: '1551890000' }).waitFor();
    await form.getByRole('button', { name: 'Record review' }).waitFor();
    expect(await form.getByRole('button', { name: 'Record review' }).isEnabled()).toBe(true);
    release();
    await page.waitForTimeout(500);
    expect(await page.getByText(/^Recorded the .* review\.$/).count()).toBe(0);

    await page.evaluate(() => (location.hash = '#/observations?observation=1552039941'));
    await page.getByRole('heading', { name: '1552039941' }).waitFor();
    await page.getByText(/^Recorded the .* review\.$/).waitFor();
  });
});

describe('browser import and roles', () => {
  it('imports a plan through the page', async () => {
    const page = await open('#/import');
    await page.locator('input[type=file]').setInputFiles(join(ROOT, 'examples', 'plan.yaml'));
    await page.getByText('Detected plan').waitFor();
    await page.getByRole('button', { name: 'Dry run' }).click();
    await page.getByText('2. Preview (nothing recorded yet)').waitFor();
    await page.getByRole('button', { name: /^Import \d+ events$/ }).click();
    await page.getByRole('heading', { name: 'Imported' }).waitFor({ timeout: 30_000 });

    const board = await open('#/features');
    await board.getByText('RTS-GAIN-STABILITY').first().waitFor();
  });

  it('keeps plans from engineers', async () => {
    const page = await open('#/import', await createToken('ENGINEER', adminToken));
    await page.locator('input[type=file]').setInputFiles(join(ROOT, 'examples', 'plan.yaml'));
    await page.getByText('Detected plan').waitFor();
    await page.getByText('A plan records commissioning decisions (features, verifications, reviews), so importing one needs a commissioner token.').waitFor();
    await expect(page.getByRole('button', { name: 'Dry run' }).isDisabled()).resolves.toBe(true);

    // Other formats stay open to an engineer.
    await page.locator('input[type=file]').setInputFiles(join(ROOT, 'test', 'fixtures', 's3-listing-1551803062.txt'));
    await page.getByText(/^Detected s3/).waitFor();
    await expect(page.getByRole('button', { name: 'Dry run' }).isDisabled()).resolves.toBe(false);
  });

  it('says why a journal adds nothing', async () => {
    const page = await open('#/import');
    const journal = Buffer.from('journal:\n  - finding: not a journal entry kind\n    at: 2019-01-01T00:00:00Z\n');
    await page.locator('input[type=file]').setInputFiles({ name: 'journal-bad.yaml', mimeType: 'text/yaml', buffer: journal });
    await page.getByText('Detected journal').waitFor();
    await page.getByRole('button', { name: 'Dry run' }).click();
    await page.getByText('Nothing to record: no records were read from this file; the warnings below say why.').waitFor();
    await page.getByText(/must start with one of change, deploy, deliver, verify, review, clear|start the entry with its kind/).first().waitFor();
    await expect(page.getByRole('button', { name: /^Import 0 events$/ }).isDisabled()).resolves.toBe(true);
  });

  it('dry run lists deployment reactions', async () => {
    const page = await open('#/import');
    const journal = Buffer.from(
      [
        'journal:',
        '  - change: ui-scheduler-1',
        '    at: 2019-03-09T00:00:00Z',
        '    by: cam',
        '    kind: software',
        '    subsystem: CAM',
        '    components: [cam.scheduler]',
        '    summary: progress bar',
        '    delivers: [CAM-SCHEDULER-UI]',
        '  - deploy: ui-scheduler-1',
        '    at: 2019-03-10T00:00:00Z',
        '',
      ].join('\n'),
    );
    await page.locator('input[type=file]').setInputFiles({ name: 'scheduler-journal.yaml', mimeType: 'text/yaml', buffer: journal });
    await page.getByText('Detected journal').waitFor();
    await page.getByRole('button', { name: 'Dry run' }).click();
    const reactions = page.locator('table', { has: page.getByRole('columnheader', { name: 'Action' }) });
    await reactions.waitFor();
    await expect(reactions.getByRole('row', { name: /CAM-SCHEDULER-UI deliver$/ }).count()).resolves.toBe(1);
    await page.getByRole('heading', { name: 'Deployments would' }).waitFor();
  });

  it('format label comes from the server', async () => {
    const page = await open('#/import');
    const input = page.locator('input[type=file]');

    // The server's reason wording, which no rule in the page could produce.
    await input.setInputFiles(join(ROOT, 'test', 'fixtures', 's3-listing-1551803062.txt'));
    await page.getByText('Detected s3 from s3cmd ls output (DIR s3://…).').waitFor();
    await expect(page.locator('onsky-import-page select').inputValue()).resolves.toBe('s3');

    // A katdal-style name line without the Observer line the server's katdal rule also requires.
    const nameOnly = Buffer.from('Name: /var/kat/archive/1548417874.h5 (version 4.0)\nFile size: 1 GB\n');
    await input.setInputFiles({ name: 'summary.txt', mimeType: 'text/plain', buffer: nameOnly });
    await page.getByText('The format could not be detected from the file; choose it above.').waitFor();

    // With a matching name the server falls back to the name rule.
    await input.setInputFiles({ name: 'katdal-summary.txt', mimeType: 'text/plain', buffer: nameOnly });
    await page.getByText('Detected katdal from the file name "katdal-summary.txt".').waitFor();
  });

  it('says why empty or binary files fail', async () => {
    const page = await open('#/import');
    const input = page.locator('input[type=file]');
    await input.setInputFiles({ name: 'empty.log', mimeType: 'text/plain', buffer: Buffer.alloc(0) });
    await page.getByText('empty.log is empty, so there is nothing to import').waitFor();
    await input.setInputFiles({ name: 'capture.h5', mimeType: 'application/octet-stream', buffer: Buffer.from([0x89, 0x48, 0x44, 0x46, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 0]) });
    await page.getByText('capture.h5 contains NUL bytes, so it looks like a binary file').waitFor();
    await input.setInputFiles(join(ROOT, 'test', 'fixtures', 's3-listing-1551803062.txt'));
    await page.getByText('Detected s3 from s3cmd ls output').waitFor();
  });

  it('header names a rejected token', async () => {
    const page = await open('#/overview', 'onsky_not-a-token-this-server-issued');
    const state = page.getByRole('status').filter({ hasText: 'Token rejected' });
    await state.waitFor();
    expect(await state.getAttribute('title')).toContain('paste a new one under Token');
    expect(await page.getByText('Offline').count()).toBe(0);
  });

  it('viewer is offered no actions', async () => {
    const secret = await createToken('VIEWER', adminToken);

    const page = await open('#/queue?feature=CBF-DELAY-TRACKING', secret);
    await page.getByText('Recording a verification needs a commissioner token').waitFor();
    expect(await page.locator('onsky-verify-form').count()).toBe(0);
    await page.locator('[data-role="viewer"]').waitFor();

    const importPage = await open('#/import', secret);
    await importPage.getByText('Importing needs an engineer token').waitFor();
  });
});

describe('browser accessibility', () => {
  it.each(PAGE_CHECKS.map((check) => check.route))('%s has no serious axe violations', async (route) => {
    const page = await open(route);
    await waitForData(page);
    const violations = await seriousAxeViolations(page);
    expect(violations).toEqual([]);
  });

  it('keyboard reaches skip link first', async () => {
    const page = await open('#/overview');
    await page.getByText('Whole array').first().waitFor();
    await page.keyboard.press('Tab');
    const focused = await page.evaluate(`document.querySelector('onsky-app').shadowRoot.activeElement?.textContent ?? ''`);
    expect(String(focused).trim()).toBe('Skip to content');
  });
});
