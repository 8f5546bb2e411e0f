/**
 * The time chart's stacked bars in Chromium, read off the canvas: ten and a half years of months
 * must still draw bars wide enough to see, not hairlines between white edges. The page is served
 * by the board stand-in, and the chart element is made in the page with its own data.
 */
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeRows, startBoardStub, staticTable } from './board-stub.js';
import { ensureUiBuilt } from './build.js';
import { launchChromium } from './chromium.js';

let server: Server;
let browser: Browser;
let closeBrowser: () => Promise<void>;
let page: Page;

beforeAll(async () => {
  await ensureUiBuilt();
  const rows = makeRows(3);
  server = await startBoardStub(rows, staticTable(rows));
  ({ browser, close: closeBrowser } = await launchChromium());
  page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
  // The overview's module defines the chart element; what the stand-in returns does not matter here.
  await page.goto(`http://127.0.0.1:${(server.address() as AddressInfo).port}/#/overview`);
  await page.waitForFunction('customElements.get("onsky-time-chart") !== undefined', undefined, { timeout: 30_000 });
}, 120_000);

afterAll(async () => {
  await closeBrowser?.();
  server?.close();
});

/**
 * Draws a stacked-bar chart of `months` months, 900 px wide, with every bar 10 hours high in one
 * colour, and returns the widths in pixels of the runs of that colour across the canvas at half
 * the bars' height.
 */
async function barWidths(months: number): Promise<number[]> {
  return page.evaluate(`(async () => {
    document.querySelector('#chart-test')?.remove();
    const chart = document.createElement('onsky-time-chart');
    chart.id = 'chart-test';
    chart.style.cssText = 'display:block;width:900px;--onsky-series-1:#ff0000';
    chart.kind = 'stacked-bars';
    chart.caption = 'test';
    chart.x = Array.from({ length: ${months} }, (_, month) => Date.UTC(2016, month, 1) / 1000);
    chart.series = [{ label: 'hours', values: Array.from({ length: ${months} }, () => 10) }];
    document.body.append(chart);
    let canvas = null;
    for (let tries = 0; tries < 100 && canvas === null; tries++) {
      await new Promise((resolve) => setTimeout(resolve, 50));
      canvas = chart.shadowRoot.querySelector('canvas');
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
    const context = canvas.getContext('2d');
    const { width, height } = canvas;
    const pixels = context.getImageData(0, 0, width, height).data;
    // The rows with any red pixel span the bars; their middle row crosses every bar.
    const isRed = (at) => pixels[at] > 200 && pixels[at + 1] < 80 && pixels[at + 2] < 80;
    let top = -1;
    let bottom = -1;
    for (let y = 0; y < height; y++) {
      for (let x = 0; x < width; x++) {
        if (!isRed((y * width + x) * 4)) continue;
        if (top < 0) top = y;
        bottom = y;
        break;
      }
    }
    const row = Math.floor((top + bottom) / 2);
    const runs = [];
    let run = 0;
    for (let x = 0; x < width; x++) {
      const at = (row * width + x) * 4;
      if (isRed(at)) run++;
      else if (run > 0) { runs.push(run); run = 0; }
    }
    if (run > 0) runs.push(run);
    return runs;
  })()`) as Promise<number[]>;
}

describe('stacked bars', () => {
  it('stay visible over ten years of months', async () => {
    const widths = await barWidths(126);
    expect(widths.length).toBeGreaterThan(100);
    const thinnest = Math.min(...widths);
    // About 6.5 px per month on this canvas: a bar should keep most of its slot.
    expect(thinnest).toBeGreaterThanOrEqual(4);
  });

  it('keep their edges over a year', async () => {
    const widths = await barWidths(12);
    expect(widths).toHaveLength(12);
    expect(Math.min(...widths)).toBeGreaterThanOrEqual(20);
  });
});
