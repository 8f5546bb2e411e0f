/**
 * Takes the screenshots in docs/screenshots/*.png from a real run: builds the UI, starts
 * `onsky serve` with a temporary data folder, imports the example plan and the sample files in
 * test/fixtures through POST /api/import, seeds deliveries and verifications through GraphQL,
 * and photographs the main pages in Chromium.
 *
 * Run: `npx tsx test/browser/screenshots.ts`.
 */
import { mkdirSync, readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { startApp } from './app-server.js';
import { ensureUiBuilt, ROOT } from './build.js';
import { launchChromium } from './chromium.js';
import { graphqlClient, seed } from './seed.js';

/** Sample files and their formats, imported in this order (catalogues before observations). */
const IMPORTS: readonly { readonly file: string; readonly format: string }[] = [
  { file: 'examples/plan.yaml', format: 'plan' },
  { file: 'test/fixtures/catalogue-lband-bandpass-calibrators.csv', format: 'catalogue' },
  { file: 'test/fixtures/catalogue-lband-gain-calibrators.csv', format: 'catalogue' },
  { file: 'test/fixtures/gitlog-katsdpcontroller.jsonl', format: 'git' },
  { file: 'test/fixtures/jira-export-commissioning.csv', format: 'jira' },
  { file: 'test/fixtures/obslog-1551803062.log', format: 'obslog' },
  { file: 'test/fixtures/sdpmc-array_1_0-2019-03-08.log', format: 'sdpmc' },
  { file: 'test/fixtures/archive-search-2019-03-08.tsv', format: 'archive' },
  { file: 'test/fixtures/katdal-summary-1548417874.txt', format: 'katdal' },
  { file: 'test/fixtures/s3-listing-1551803062.txt', format: 's3' },
  { file: 'test/fixtures/syslog-fwr3-2019-03-03.log', format: 'syslog' },
];

const SHOTS: readonly { readonly name: string; readonly route: string; readonly waitFor: string }[] = [
  { name: 'overview', route: '#/overview', waitFor: 'Whole array' },
  { name: 'queue', route: '#/queue?feature=CBF-DELAY-TRACKING', waitFor: 'Candidate evidence' },
  { name: 'features', route: '#/features', waitFor: 'features' },
  { name: 'feature-detail', route: '#/features/SDP-QUORUM', waitFor: 'Timeline' },
  { name: 'changes', route: '#/changes?from=1551890000&to=1552039941', waitFor: 'CHG-2019-040' },
  { name: 'observations', route: '#/observations', waitFor: 'Data gaps' },
  { name: 'unverified', route: '#/unverified', waitFor: 'Observed hours' },
  { name: 'traceability', route: '#/traceability', waitFor: 'Requirements' },
  { name: 'findings', route: '#/findings', waitFor: 'FND-1' },
  { name: 'import', route: '#/import', waitFor: 'Drop a file here' },
];

async function importSample(baseUrl: string, file: string, format: string): Promise<void> {
  const url = `${baseUrl}/api/import?format=${format}&dryRun=false&file=${encodeURIComponent(basename(file))}`;
  const response = await fetch(url, { method: 'POST', headers: { 'Content-Type': 'application/octet-stream' }, body: readFileSync(join(ROOT, file)) });
  const text = await response.text();
  process.stdout.write(`import ${file} as ${format}: HTTP ${response.status} ${text.slice(0, 160)}\n`);
}

async function main(): Promise<void> {
  await ensureUiBuilt();
  const app = await startApp();
  const { browser, close } = await launchChromium();
  try {
    for (const sample of IMPORTS) await importSample(app.baseUrl, sample.file, sample.format);
    await seed(graphqlClient(app.baseUrl));

    const folder = join(ROOT, 'docs', 'screenshots');
    mkdirSync(folder, { recursive: true });
    for (const shot of SHOTS) {
      const context = await browser.newContext({ viewport: { width: 1440, height: 1000 }, deviceScaleFactor: 1 });
      const page = await context.newPage();
      await page.goto(`${app.baseUrl}/${shot.route}`);
      await page.getByText(shot.waitFor).first().waitFor({ timeout: 20_000 });
      // Charts draw after uPlot loads; give the frame a moment to settle.
      await page.waitForTimeout(600);
      await page.screenshot({ path: join(folder, `${shot.name}.png`), fullPage: true });
      process.stdout.write(`docs/screenshots/${shot.name}.png\n`);
      await context.close();
    }
  } finally {
    await close();
    await app.stop();
  }
}

await main();
