/**
 * Live pages in real Chromium. Events appended through the GraphQL API (over HTTP, with an
 * engineer token) reach open pages through the `logMoved` subscription without a reload. A page
 * showing the state as of a past time neither changes nor fetches again.
 */
import { createServer, request as httpRequest, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startApp, type RunningApp } from './app-server.js';
import { ensureUiBuilt } from './build.js';
import { launchChromium, seriousAxeViolations } from './chromium.js';
import { graphqlClient, seed, type GraphQLClient } from './seed.js';

let app: RunningApp;
let browser: Browser;
let closeBrowser: () => Promise<void>;
let viewerToken: string;
/** Client acting as an engineer, the lowest role that may record observation facts and findings. */
let engineer: GraphQLClient;
let contexts: BrowserContext[] = [];

const FACTS = `mutation ($input: RecordObservationFactsInput!) { recordObservationFacts(input: $input) { __typename ... on DomainError { message } } }`;
const FINDING = `mutation ($input: RecordFindingInput!) { recordFinding(input: $input) { __typename ... on DomainError { message } } }`;

async function createToken(role: string, token: string | null): Promise<string> {
  const created = await graphqlClient(app.baseUrl, token)(`mutation { createToken(role: ${role}, label: "live test ${role.toLowerCase()}") { secret } }`);
  return (created['createToken'] as { secret: string }).secret;
}

beforeAll(async () => {
  await ensureUiBuilt();
  app = await startApp();
  await seed(graphqlClient(app.baseUrl));
  const adminToken = await createToken('ADMIN', null);
  viewerToken = await createToken('VIEWER', adminToken);
  engineer = graphqlClient(app.baseUrl, await createToken('ENGINEER', adminToken));
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

/** Opens a hash route as a viewer and marks the window, so a test can tell that it never reloaded. */
async function open(route: string): Promise<Page> {
  const context = await browser.newContext({ viewport: { width: 1400, height: 1000 }, bypassCSP: true });
  contexts.push(context);
  await context.addInitScript(`localStorage.setItem('onsky.token', ${JSON.stringify(viewerToken)})`);
  const page = await context.newPage();
  page.on('pageerror', (error) => {
    throw new Error(`page error on ${route}: ${error.message}`);
  });
  await page.goto(`${app.baseUrl}/${route}`);
  await page.getByRole('heading', { level: 1 }).first().waitFor();
  await expect.poll(() => page.getByText('Loading…').count(), { timeout: 15_000 }).toBe(0);
  await page.locator('.live .dot.on').waitFor({ timeout: 15_000 });
  await page.evaluate('window.__sameDocument = true');
  return page;
}

async function appendObservation(observationId: string, start: string): Promise<void> {
  await engineer(FACTS, {
    input: {
      observationId,
      facts: {
        captureBlockId: observationId,
        proposalId: 'COMM-LIVE',
        description: `live test observation ${observationId}`,
        startUtc: start,
        endUtc: new Date(Date.parse(start) + 3_600_000).toISOString(),
        band: 'L',
        product: 'c856M4k',
      },
    },
  });
}

/** Counts GraphQL queries (not event streams) the page sends from now on. */
function countQueries(page: Page): () => number {
  let count = 0;
  page.on('request', (request) => {
    const isGraphql = request.url().endsWith('/graphql') && request.method() === 'POST';
    if (isGraphql && !(request.headers()['accept'] ?? '').includes('text/event-stream')) count += 1;
  });
  return () => count;
}

describe('live pages', () => {
  it('many tabs share one event stream', async () => {
    // Chromium opens at most six connections to a host for all tabs of a profile, and an open
    // event stream keeps one: eight tabs with a stream each would never all load.
    const context = await browser.newContext({ viewport: { width: 1200, height: 800 }, bypassCSP: true });
    contexts.push(context);
    await context.addInitScript(`localStorage.setItem('onsky.token', ${JSON.stringify(viewerToken)})`);
    let streams = 0;
    context.on('request', (request) => {
      if ((request.headers()['accept'] ?? '').includes('text/event-stream') && (request.postData() ?? '').includes('LogMoved')) streams += 1;
    });

    const pages: Page[] = [];
    for (let tab = 0; tab < 8; tab++) {
      const page = await context.newPage();
      await page.goto(`${app.baseUrl}/#/findings`);
      await page.getByText('FND-1').first().waitFor({ timeout: 20_000 });
      pages.push(page);
    }
    expect(streams).toBe(1);

    const finding = (findingId: string, title: string) =>
      engineer(FINDING, { input: { findingId, title, symptom: 'Seen in a test with many tabs.', links: { components: ['sdp.ingest'] } } });
    await finding('FND-TABS-1', 'Eight tabs follow one stream');
    await pages[7]!.getByText('Eight tabs follow one stream').waitFor({ timeout: 20_000 });

    // The tab holding the stream closes; another tab takes the stream over.
    await pages[0]!.close();
    await finding('FND-TABS-2', 'Another tab took the stream over');
    await pages[7]!.getByText('Another tab took the stream over').waitFor({ timeout: 20_000 });
    expect(streams).toBe(2);
  });

  it('observations page shows a new observation', async () => {
    const page = await open('#/observations');
    await page.getByRole('link', { name: '1551803062' }).waitFor();
    expect(await page.getByRole('link', { name: '1560100000' }).count()).toBe(0);

    await appendObservation('1560100000', '2019-06-09T17:06:40Z');

    await page.getByRole('link', { name: '1560100000' }).waitFor({ timeout: 20_000 });
    expect(await page.evaluate('window.__sameDocument')).toBe(true);
  });

  it('findings page shows a new finding', async () => {
    const page = await open('#/findings');
    await page.getByText('FND-1').first().waitFor();

    await engineer(FINDING, {
      input: {
        findingId: 'FND-LIVE',
        title: 'Noise diode fires late after a subarray rebuild',
        symptom: 'The first noise-diode firing comes one dump late.',
        links: { components: ['sdp.ingest'] },
      },
    });

    await page.getByText('Noise diode fires late after a subarray rebuild').waitFor({ timeout: 20_000 });
    expect(await page.evaluate('window.__sameDocument')).toBe(true);
    expect(await seriousAxeViolations(page)).toEqual([]);
  });

  it('overview updates its hours', async () => {
    const page = await open('#/overview');
    const months = page.locator('onsky-time-chart tbody tr');
    await months.first().waitFor({ state: 'attached' });
    expect(await months.filter({ hasText: '2019-08' }).count()).toBe(0);

    await appendObservation('1565000000', '2019-08-05T10:13:20Z');

    await months.filter({ hasText: '2019-08' }).first().waitFor({ state: 'attached', timeout: 20_000 });
    expect(await page.evaluate('window.__sameDocument')).toBe(true);
  });

  it('as-of page stays unchanged', async () => {
    // Record times are the server's clock, on this machine; the pause keeps the mark apart from the last event.
    await new Promise((resolve) => setTimeout(resolve, 20));
    const asOf = new Date().toISOString();
    await new Promise((resolve) => setTimeout(resolve, 20));

    const past = await open(`#/observations?asOf=${encodeURIComponent(asOf)}`);
    await past.getByText('Showing the state as of').waitFor();
    await past.getByRole('link', { name: '1551803062' }).waitFor();
    const live = await open('#/observations');
    const pastQueries = countQueries(past);

    await appendObservation('1560200000', '2019-06-10T20:53:20Z');

    // The live page proves the push went out; the past page had the same chance to react.
    await live.getByRole('link', { name: '1560200000' }).waitFor({ timeout: 20_000 });
    await new Promise((resolve) => setTimeout(resolve, 1500));
    expect(await past.getByRole('link', { name: '1560200000' }).count()).toBe(0);
    expect(pastQueries()).toBe(0);
    expect(await past.evaluate('window.__sameDocument')).toBe(true);
  });
});

describe('a board subscription that returns only errors', () => {
  it('falls back to the board query', async () => {
    // A proxy in front of the app responds to the board subscription with one result of errors alone
    // and keeps the stream open, as a server does whose subscription fails on every push.
    const openStreams: ServerResponse[] = [];
    const proxy = createServer((request, response) => {
      const chunks: Buffer[] = [];
      request.on('data', (chunk: Buffer) => chunks.push(chunk));
      request.on('end', () => {
        const body = Buffer.concat(chunks);
        if (request.url?.startsWith('/graphql') && body.toString('utf8').includes('boardChanged')) {
          response.writeHead(200, { 'content-type': 'text/event-stream' });
          response.write(`event: next\ndata: ${JSON.stringify({ errors: [{ message: 'board failed' }] })}\n\n`);
          openStreams.push(response);
          return;
        }
        const upstream = httpRequest(`${app.baseUrl}${request.url ?? '/'}`, { method: request.method, headers: request.headers }, (answer) => {
          response.writeHead(answer.statusCode ?? 502, answer.headers);
          answer.pipe(response);
        });
        upstream.on('error', () => response.destroy());
        upstream.end(body);
      });
    });
    await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve));
    const port = (proxy.address() as AddressInfo).port;
    try {
      const context = await browser.newContext({ viewport: { width: 1400, height: 1000 } });
      contexts.push(context);
      await context.addInitScript(`localStorage.setItem('onsky.token', ${JSON.stringify(viewerToken)})`);
      const page = await context.newPage();
      await page.goto(`http://127.0.0.1:${port}/#/features`);
      await page.getByText('Automatic noise-diode firing').waitFor({ timeout: 15_000 });
      expect(openStreams.length).toBeGreaterThan(0);
    } finally {
      for (const response of openStreams) response.destroy();
      proxy.closeAllConnections();
      await new Promise((resolve) => proxy.close(resolve));
    }
  });
});
