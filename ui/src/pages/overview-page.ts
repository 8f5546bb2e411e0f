/**
 * `<onsky-overview-page>` (`#/overview`): what a commissioning lead opens every morning. The
 * backpressure signal per subsystem with the numbers behind it and the recommendation; a
 * burn-up of features delivered against verified; observing hours by month and review state; and the
 * items that have waited longest.
 */
import { Task } from '@lit/task';
import { html, nothing, type TemplateResult } from 'lit';
import { customElement } from 'lit/decorators.js';
import { request } from '../api/client.js';
import { fetchBoardSnapshot } from '../api/board.js';
import { OnskyPage, formatHours, formatNumber } from '../app/page.js';
import { hrefFor } from '../app/routes.js';
import '../widgets/time-chart.js';
import { burnUp, monthStart } from './burn-up.js';
import { nothingDelivered } from './empty.js';
import { pageStyles } from './page.styles.js';

interface Report {
  readonly subsystem: string | null;
  readonly recommendation: string;
  readonly flow: {
    readonly arrivals: number;
    readonly departures: number;
    readonly throughputPerWeek: number;
    readonly wip: number;
    readonly expectedWaitWeeks: number | null;
    readonly netFlow: number;
    readonly oldestItemAgeDays: number | null;
    readonly oldestItemFeatureKey: string | null;
    readonly windowDays: number;
  };
  readonly assessment: { readonly signal: string; readonly wipLimit: number; readonly wipLimitIsDefault: boolean; readonly targetWaitWeeks: number; readonly reasons: readonly string[] };
}

/** Hours per review state, as the ledger's GraphQL type names them. */
type HoursByReviewState = Readonly<Record<(typeof REVIEW_SERIES)[number]['field'], number>>;

/**
 * One bar series per review state of the ledger, bottom of the stack first. The hours not yet
 * looked at in detail sit at the base, where their height is easiest to compare month by month.
 */
const REVIEW_SERIES = [
  { field: 'neverReviewed', label: 'Never reviewed', colour: '--onsky-review-never-reviewed' },
  { field: 'automatedQa', label: 'Automated QA only', colour: '--onsky-review-automated-qa' },
  { field: 'inspected', label: 'Inspected', colour: '--onsky-review-inspected' },
  { field: 'imaged', label: 'Imaged', colour: '--onsky-review-imaged' },
  { field: 'discarded', label: 'Discarded', colour: '--onsky-review-discarded' },
] as const;

interface OverviewData {
  readonly flow: { readonly overall: Report; readonly subsystems: readonly Report[] };
  readonly unverifiedData: {
    readonly hours: number;
    readonly hoursNotLookedAtInDetail: number;
    readonly byMonth: readonly { readonly key: string; readonly hours: number; readonly hoursByReviewState: HoursByReviewState }[];
  };
  readonly verificationQueue: readonly { readonly featureKey: string; readonly title: string; readonly subsystem: string; readonly status: string; readonly daysWaiting: number; readonly verificationWsjf: number }[];
}

const REPORT_FIELDS = /* GraphQL */ `
  subsystem
  recommendation
  flow {
    arrivals
    departures
    throughputPerWeek
    wip
    expectedWaitWeeks
    netFlow
    oldestItemAgeDays
    oldestItemFeatureKey
    windowDays
  }
  assessment {
    signal
    wipLimit
    wipLimitIsDefault
    targetWaitWeeks
    reasons
  }
`;

const OVERVIEW_QUERY = /* GraphQL */ `
  query Overview($asOf: String, $now: String) {
    flow(asOf: $asOf, now: $now) {
      overall {
        ${REPORT_FIELDS}
      }
      subsystems {
        ${REPORT_FIELDS}
      }
    }
    unverifiedData(asOf: $asOf, now: $now) {
      hours
      hoursNotLookedAtInDetail
      byMonth {
        key
        hours
        hoursByReviewState {
          neverReviewed
          automatedQa
          inspected
          imaged
          discarded
        }
      }
    }
    verificationQueue(asOf: $asOf, now: $now, candidateLimit: 0) {
      featureKey
      title
      subsystem
      status
      daysWaiting
      verificationWsjf
    }
  }
`;

/** Waiting items listed on the overview. */
const OLDEST_COUNT = 8;

@customElement('onsky-overview-page')
export class OnskyOverviewPage extends OnskyPage {
  static override styles = pageStyles;

  private readonly overview = new Task(this, {
    task: ([asOf, now], { signal }) => request<OverviewData>(OVERVIEW_QUERY, { asOf, now }, signal),
    args: () => this.clockArgs,
  });

  private readonly burnUp = new Task(this, {
    task: async ([asOf, now], { signal }) => {
      const features = await fetchBoardSnapshot({ asOf, now }, signal);
      return { count: features.length, series: burnUp(features, asOf ?? now ?? new Date().toISOString()) };
    },
    args: () => this.clockArgs,
  });

  override render(): TemplateResult {
    return html`
      <h1>Overview</h1>
      <p class="lede">Is engineering delivering faster than commissioning can verify? The signal per subsystem, the numbers behind it, and what to do.</p>
      ${this.renderTask(this.overview, (data) => this.renderOverview(data))}
    `;
  }

  private renderOverview(data: OverviewData): TemplateResult {
    const reports = [data.flow.overall, ...data.flow.subsystems];
    return html`
      <section aria-labelledby="signals-heading">
        <h2 id="signals-heading" class="visually-hidden">Backpressure by subsystem</h2>
        <div class="grid">${reports.map((report) => this.renderReport(report))}</div>
      </section>
      <div class="grid">
        <section class="card" aria-label="Burn-up">${this.renderTask(this.burnUp, (result) => this.renderBurnUp(result.count, result.series))}</section>
        <section class="card" aria-label="Unverified observing hours">${this.renderHours(data.unverifiedData)}</section>
      </div>
      ${this.renderOldest(data.verificationQueue)}
    `;
  }

  private renderReport(report: Report): TemplateResult {
    const { flow, assessment } = report;
    const signal = assessment.signal.toLowerCase();
    const name = report.subsystem ?? 'Whole array';
    return html`<article class=${`card signal-card ${signal}`} aria-label=${`${name}: ${signal}`}>
      <header>
        <h3>${name}</h3>
        <span class=${`badge ${signal}`}>${signal}</span>
      </header>
      <p class="recommendation">${report.recommendation}</p>
      ${assessment.reasons.length === 0 ? nothing : html`<ul class="reasons">${assessment.reasons.map((reason) => html`<li>${reason}</li>`)}</ul>`}
      <dl class="figures">
        <div><dt>Arrivals (${formatNumber(flow.windowDays, 0)} d)</dt><dd>${flow.arrivals}</dd></div>
        <div><dt>Departures</dt><dd>${flow.departures}</dd></div>
        <div><dt>Throughput / week</dt><dd>${formatNumber(flow.throughputPerWeek, 2)}</dd></div>
        <div><dt>WIP / limit${assessment.wipLimitIsDefault ? ' (default)' : ''}</dt><dd>${flow.wip} / ${formatNumber(assessment.wipLimit, 0)}</dd></div>
        <div><dt>Expected wait</dt><dd>${expectedWait(flow)}</dd></div>
        <div><dt>Oldest item</dt><dd>${flow.oldestItemAgeDays === null ? '—' : `${formatNumber(flow.oldestItemAgeDays, 0)} d`}</dd></div>
      </dl>
      ${flow.oldestItemFeatureKey === null ? nothing : html`<p class="muted">Oldest: <a href=${hrefFor('features', [flow.oldestItemFeatureKey])}>${flow.oldestItemFeatureKey}</a></p>`}
    </article>`;
  }

  private renderBurnUp(count: number, series: ReturnType<typeof burnUp>): TemplateResult {
    return html`<onsky-time-chart
      caption="Features delivered and verified (cumulative)"
      kind="steps"
      unit="features"
      .x=${series.days}
      .series=${[
        { label: 'Delivered', values: series.delivered },
        { label: 'Verified', values: series.verified },
      ]}
      empty=${count === 0 ? 'No features yet. Import a commissioning plan on the Import page or run `onsky import plan examples/plan.yaml`.' : 'No feature has been delivered yet. Deliveries appear here when changes are deployed.'}
    ></onsky-time-chart>`;
  }

  private renderHours(ledger: OverviewData['unverifiedData']): TemplateResult {
    const months = ledger.byMonth.filter((group) => monthStart(group.key) !== null);
    return html`<onsky-time-chart
        caption="Observing hours by month and review state"
        kind="stacked-bars"
        unit="hours"
        .x=${months.map((group) => monthStart(group.key) as number)}
        .formatX=${(seconds: number) => new Date(seconds * 1000).toISOString().slice(0, 7)}
        .series=${REVIEW_SERIES.map((series) => ({ label: series.label, colour: series.colour, values: months.map((group) => group.hoursByReviewState[series.field]) }))}
        empty="No observations yet. Import observation-script logs or an archive listing on the Import page."
      ></onsky-time-chart>
      ${ledger.hours === 0
        ? nothing
        : html`<p><strong>${formatHours(ledger.hoursNotLookedAtInDetail)} of ${formatHours(ledger.hours)} hours</strong>
            (${formatNumber((100 * ledger.hoursNotLookedAtInDetail) / ledger.hours, 0)}%) have not been looked at in detail.
            <a href=${hrefFor('unverified')}>Breakdown</a></p>`}`;
  }

  private renderOldest(queue: OverviewData['verificationQueue']): TemplateResult {
    const oldest = [...queue].sort((a, b) => b.daysWaiting - a.daysWaiting).slice(0, OLDEST_COUNT);
    return html`<section class="card" aria-labelledby="oldest-heading">
      <h2 id="oldest-heading">Waiting longest for verification</h2>
      ${oldest.length === 0
        ? html`<p class="muted">Nothing waits for verification. ${nothingDelivered()}</p>`
        : html`<table class="plain">
            <thead><tr><th scope="col">Feature</th><th scope="col">Title</th><th scope="col">Subsystem</th><th scope="col">Status</th><th scope="col" class="num">Days waiting</th><th scope="col" class="num">Verification WSJF</th></tr></thead>
            <tbody>
              ${oldest.map(
                (entry) => html`<tr>
                  <td><a class="mono" href=${hrefFor('queue', [], { feature: entry.featureKey })}>${entry.featureKey}</a></td>
                  <td>${entry.title}</td>
                  <td>${entry.subsystem}</td>
                  <td><span class=${`badge ${entry.status.toLowerCase()}`}>${entry.status.toLowerCase()}</span></td>
                  <td class="num">${formatNumber(entry.daysWaiting, 0)}</td>
                  <td class="num">${formatNumber(entry.verificationWsjf, 2)}</td>
                </tr>`,
              )}
            </tbody>
          </table>
          <p><a href=${hrefFor('queue')}>Whole queue</a></p>`}
    </section>`;
  }
}

/** Little's law wait in weeks; unbounded (∞) when there is WIP but nothing was verified. */
function expectedWait(flow: Report['flow']): string {
  if (flow.expectedWaitWeeks !== null) return `${formatNumber(flow.expectedWaitWeeks)} wk`;
  return flow.wip === 0 ? '0 wk' : '∞';
}

declare global {
  interface HTMLElementTagNameMap {
    'onsky-overview-page': OnskyOverviewPage;
  }
}

