/**
 * ui-board: the feature board with 10k features rendered by the onsky UI in Chromium, against a
 * static HTML table of the same rows served the same way, in the same run. The ratio is onsky's
 * render time over the static table's (target 2: at most twice as slow).
 *
 * Render time runs from navigation start to the first frame in which the table shows its rows.
 * For onsky, the footer counts every feature and the first row is drawn; for the static table,
 * its last row is laid out. A stand-in serves the board from memory over real HTTP on 127.0.0.1
 * (whole, through the `boardChanged` subscription, as the live board loads it), so the figure is
 * the UI's work (fetching, parsing, rendering) and not the API's.
 */
import { readFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import { makeRows, startBoardStub, staticTable } from '../test/browser/board-stub.js';
import { ensureUiBuilt, UI_DIST } from '../test/browser/build.js';
import { launchChromium } from '../test/browser/chromium.js';
import { median, numberArgument, printResult, round } from './_support.js';

/** Gzip size of the JavaScript the first page load executes: the entry chunk and what it imports statically. */
function initialJavaScriptGzipBytes(): number {
  const index = readFileSync(join(UI_DIST, 'index.html'), 'utf8');
  const scripts = [...index.matchAll(/(?:src|href)="\.?\/?(assets\/[^"]+\.js)"/g)].map((match) => match[1]!);
  return scripts.reduce((total, file) => total + gzipSync(readFileSync(join(UI_DIST, file))).length, 0);
}

export default async function uiBoard(args: string[]): Promise<void> {
  const features = numberArgument(args, 'features', 10_000);
  const repetitions = numberArgument(args, 'repetitions', 5);
  // Features per page of the paged query, which the board uses only for a past time or when the subscription fails.
  const pageCap = numberArgument(args, 'page-size', 100);
  await ensureUiBuilt();
  const rows = makeRows(features);
  const server = await startBoardStub(rows, staticTable(rows), pageCap);
  const { browser, close } = await launchChromium();
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const expectedCount = features.toLocaleString('en-GB');

  const measure = async (url: string, renderedExpression: string): Promise<number> => {
    const context = await browser.newContext({ viewport: { width: 1400, height: 900 } });
    const page = await context.newPage();
    await page.goto(url, { waitUntil: 'commit' });
    const handle = await page.waitForFunction(`(${renderedExpression}) ? performance.now() : false`, undefined, { polling: 'raf', timeout: 120_000 });
    const milliseconds = (await handle.jsonValue()) as number;
    await context.close();
    return milliseconds;
  };

  // Finds onsky's board table through the open shadow roots and checks that every row is counted and the first drawn.
  const onskyRendered = `(() => {
    const app = document.querySelector('onsky-app')?.shadowRoot;
    const page = app?.querySelector('onsky-features-page')?.shadowRoot;
    const table = page?.querySelector('onsky-table')?.shadowRoot;
    const footer = table?.querySelector('.footer')?.textContent ?? '';
    return footer.startsWith('${expectedCount} ') && table.querySelector('[aria-rowindex="2"]') !== null;
  })()`;
  const staticRendered = `(() => { const last = document.querySelector('tbody tr:last-child'); return last !== null && last.getBoundingClientRect().height > 0; })()`;

  try {
    // One warm-up each, so that neither pays for Chromium's first start.
    await measure(`${base}/#/features`, onskyRendered);
    await measure(`${base}/static-table.html`, staticRendered);
    const onsky: number[] = [];
    const plain: number[] = [];
    for (let repetition = 0; repetition < repetitions; repetition++) {
      onsky.push(await measure(`${base}/#/features`, onskyRendered));
      plain.push(await measure(`${base}/static-table.html`, staticRendered));
    }
    const ratio = median(onsky) / median(plain);
    const gzipBytes = initialJavaScriptGzipBytes();
    process.stdout.write(`${features} features: onsky board ${Math.round(median(onsky))} ms, static table ${Math.round(median(plain))} ms; initial JavaScript ${(gzipBytes / 1024).toFixed(1)} KB gzip\n`);
    printResult({
      bench: 'ui-board',
      ratio: round(ratio),
      target: 2,
      features,
      onskyMs: round(median(onsky), 1),
      staticTableMs: round(median(plain), 1),
      initialJsGzipBytes: gzipBytes,
    });
  } finally {
    await close();
    server.close();
  }
}
