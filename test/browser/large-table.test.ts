/**
 * The feature board with 100k features in Chromium, against an in-memory stand-in for the API:
 * the table keeps only the rows in view in the DOM, counts every row, scrolls to the last one
 * and sorts all of them.
 */
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeRows, startBoardStub, staticTable } from './board-stub.js';
import { ensureUiBuilt } from './build.js';
import { launchChromium } from './chromium.js';

const FEATURES = 100_000;

let server: Server;
let browser: Browser;
let closeBrowser: () => Promise<void>;
let page: Page;
let lastKey: string;

/** Evaluates in the board table's shadow root; `root` is bound there. */
function inTable<T>(expression: string): Promise<T> {
  return page.evaluate(`(() => {
    const root = document.querySelector('onsky-app').shadowRoot
      .querySelector('onsky-features-page').shadowRoot
      .querySelector('onsky-table').shadowRoot;
    return ${expression};
  })()`) as Promise<T>;
}

beforeAll(async () => {
  await ensureUiBuilt();
  const rows = makeRows(FEATURES);
  lastKey = rows.at(-1)!.featureKey;
  server = await startBoardStub(rows, staticTable(rows.slice(0, 10)), 1000);
  ({ browser, close: closeBrowser } = await launchChromium());
  page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
  await page.goto(`http://127.0.0.1:${(server.address() as AddressInfo).port}/#/features`);
  await page.getByText(`${FEATURES.toLocaleString('en-GB')} features`).waitFor({ timeout: 90_000 });
}, 180_000);

afterAll(async () => {
  await closeBrowser?.();
  server?.close();
});

describe('large table', () => {
  it('renders few rows in the DOM', async () => {
    // The virtualizer lays its rows out a frame or more after the count appears, later on a busy machine.
    await page.waitForFunction(
      `document.querySelector('onsky-app').shadowRoot
        .querySelector('onsky-features-page').shadowRoot
        .querySelector('onsky-table').shadowRoot
        .querySelectorAll('lit-virtualizer [role=row]').length > 0`,
      undefined,
      { timeout: 30_000 },
    );
    const rendered = await inTable<number>(`root.querySelectorAll('lit-virtualizer [role=row]').length`);
    expect(rendered).toBeGreaterThan(5);
    expect(rendered).toBeLessThan(200);
  });

  it('reports the full row count', async () => {
    const count = await inTable<string | null>(`root.querySelector('[role=table]').getAttribute('aria-rowcount')`);
    expect(count).toBe(String(FEATURES + 1));
  });

  it('scrolls to the last row', async () => {
    // While the virtualizer measures rows it restores the scroll position of its anchor row, so
    // an early scroll can be undone. The test scrolls again, as a person would.
    await expect
      .poll(async () => {
        await inTable(`(root.querySelector('lit-virtualizer').scrollTop = 1e9, true)`);
        return page.getByRole('link', { name: lastKey }).isVisible();
      }, { timeout: 30_000, interval: 500 })
      .toBe(true);
    const index = await inTable<string | null>(`[...root.querySelectorAll('[role=row]')].at(-1).getAttribute('aria-rowindex')`);
    expect(index).toBe(String(FEATURES + 1));
  });

  it('sorts every row', async () => {
    await page.getByRole('button', { name: 'Days waiting' }).click();
    await page.getByRole('button', { name: 'Days waiting' }).click();
    await inTable(`(root.querySelector('lit-virtualizer').scrollTop = 0, true)`);
    // Descending: the first rows wait 89 days, the most the stand-in gives.
    await expect.poll(() => inTable<string>(`root.querySelector('[aria-rowindex="2"] [role=cell]:last-child').textContent.trim()`)).toBe('89');
  });
});
