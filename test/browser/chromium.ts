/**
 * Starts Debian's Chromium through playwright-core with flags that work as root on a closed
 * network. `chromium.launch` gives every launch a fresh temporary profile (playwright-core
 * rejects a `--user-data-dir` flag there). Never downloads a browser.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { chromium, type Browser, type Page } from 'playwright-core';

export const CHROMIUM_PATH = process.env['ONSKY_CHROMIUM'] ?? '/usr/bin/chromium';

const FLAGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/** Launches Chromium; rejects with the fix when it is not installed. */
export async function launchChromium(): Promise<{ browser: Browser; close: () => Promise<void> }> {
  let browser: Browser;
  try {
    browser = await chromium.launch({ executablePath: CHROMIUM_PATH, args: FLAGS });
  } catch (error) {
    throw new Error(`Chromium did not start from ${CHROMIUM_PATH}: install it with \`apt-get install -y chromium\` or set ONSKY_CHROMIUM. ${String(error)}`);
  }
  return {
    browser,
    close: () => browser.close(),
  };
}

/** axe-core's source, injected into pages to check accessibility. */
export function axeSource(): string {
  const require = createRequire(import.meta.url);
  return readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');
}

export interface AxeViolation {
  readonly id: string;
  readonly impact: string | null;
  readonly help: string;
  readonly nodes: readonly { readonly target: readonly unknown[]; readonly failureSummary?: string }[];
}

/** Runs axe-core on the page (WCAG 2 A and AA rules) and returns the serious and critical violations. */
export async function seriousAxeViolations(page: Page): Promise<AxeViolation[]> {
  await page.addScriptTag({ content: axeSource() });
  // A string, because the server's tsconfig has no DOM types; it runs in the page.
  const violations = (await page.evaluate(`(async () => {
    const result = await window.axe.run(document, {
      runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] },
      resultTypes: ['violations'],
    });
    return result.violations.map((violation) => ({
      id: violation.id,
      impact: violation.impact,
      help: violation.help,
      nodes: violation.nodes.slice(0, 5).map((node) => ({ target: node.target, failureSummary: node.failureSummary })),
    }));
  })()`)) as AxeViolation[];
  return violations.filter((violation) => violation.impact === 'serious' || violation.impact === 'critical');
}
