/**
 * `<onsky-unverified-page>` (`#/unverified`): the unverified-data ledger. Observed hours by
 * review state, month, proposal, band and product; the hours no one has looked at in detail;
 * QA coverage of qualifying observations; and the time from observation end to archive.
 */
import { Task } from '@lit/task';
import { html, nothing, type TemplateResult } from 'lit';
import { customElement } from 'lit/decorators.js';
import { request } from '../api/client.js';
import { OnskyPage, formatDate, formatHours, formatNumber } from '../app/page.js';
import { hrefFor } from '../app/routes.js';
import '../widgets/time-chart.js';
import { monthStart } from './burn-up.js';
import { noObservations } from './empty.js';
import { pageStyles } from './page.styles.js';

interface Hours {
  readonly neverReviewed: number;
  readonly automatedQa: number;
  readonly inspected: number;
  readonly imaged: number;
  readonly discarded: number;
}

interface Group {
  readonly key: string;
  readonly observations: number;
  readonly hours: number;
  readonly hoursNotLookedAtInDetail: number;
  readonly hoursByReviewState: Hours;
}

interface Coverage {
  readonly qualifying: number;
  readonly reviewed: number;
  readonly lookedAtInDetail: number;
  readonly coverage: number | null;
}

interface Ledger {
  readonly observations: number;
  readonly observationsWithoutTimes: number;
  readonly hours: number;
  readonly hoursNotLookedAtInDetail: number;
  readonly hoursByReviewState: Hours;
  readonly byMonth: readonly Group[];
  readonly byProposal: readonly Group[];
  readonly byBand: readonly Group[];
  readonly byProduct: readonly Group[];
  readonly oldestUnreviewed: { readonly observationId: string; readonly startUtc: string; readonly ageDays: number } | null;
  readonly continuumQaCoverage: Coverage;
  readonly spectralLineQaCoverage: Coverage;
  readonly archiveLatency: { readonly observations: number; readonly medianMultiple: number | null; readonly p90Multiple: number | null; readonly maxMultiple: number | null };
}

const HOURS = 'neverReviewed automatedQa inspected imaged discarded';
const GROUP = `key observations hours hoursNotLookedAtInDetail hoursByReviewState { ${HOURS} }`;
const COVERAGE = 'qualifying reviewed lookedAtInDetail coverage';

const LEDGER_QUERY = /* GraphQL */ `
  query Ledger($asOf: String, $now: String) {
    unverifiedData(asOf: $asOf, now: $now) {
      observations
      observationsWithoutTimes
      hours
      hoursNotLookedAtInDetail
      hoursByReviewState { ${HOURS} }
      byMonth { ${GROUP} }
      byProposal { ${GROUP} }
      byBand { ${GROUP} }
      byProduct { ${GROUP} }
      oldestUnreviewed { observationId startUtc ageDays }
      continuumQaCoverage { ${COVERAGE} }
      spectralLineQaCoverage { ${COVERAGE} }
      archiveLatency { observations medianMultiple p90Multiple maxMultiple }
    }
  }
`;

const STATES: readonly { readonly key: keyof Hours; readonly label: string }[] = [
  { key: 'neverReviewed', label: 'Never reviewed' },
  { key: 'automatedQa', label: 'Automated QA only' },
  { key: 'inspected', label: 'Inspected' },
  { key: 'imaged', label: 'Imaged' },
  { key: 'discarded', label: 'Discarded' },
];

@customElement('onsky-unverified-page')
export class OnskyUnverifiedPage extends OnskyPage {
  static override styles = pageStyles;

  private readonly ledger = new Task(this, {
    task: async ([asOf, now], { signal }) => (await request<{ unverifiedData: Ledger }>(LEDGER_QUERY, { asOf, now }, signal)).unverifiedData,
    args: () => this.clockArgs,
  });

  override render(): TemplateResult {
    return html`
      <h1>Unverified data</h1>
      <p class="lede">How many observed hours nobody has looked at in detail (inspected or imaged), and where they are.</p>
      ${this.renderTask(this.ledger, (ledger) => this.renderLedger(ledger))}
    `;
  }

  private renderLedger(ledger: Ledger): TemplateResult {
    if (ledger.observations === 0) return html`<p class="card muted">${noObservations()}</p>`;
    const share = ledger.hours === 0 ? 0 : (100 * ledger.hoursNotLookedAtInDetail) / ledger.hours;
    const months = ledger.byMonth.filter((group) => monthStart(group.key) !== null);
    return html`
      <div class="grid">
        <section class="card" aria-labelledby="totals-heading">
          <h2 id="totals-heading">Totals</h2>
          <dl class="figures">
            <div><dt>Observations</dt><dd>${ledger.observations.toLocaleString('en-GB')}</dd></div>
            <div><dt>Observed hours</dt><dd>${formatHours(ledger.hours)}</dd></div>
            <div><dt>Not looked at in detail</dt><dd>${formatHours(ledger.hoursNotLookedAtInDetail)} h (${formatNumber(share, 0)}%)</dd></div>
            <div><dt>Oldest unreviewed</dt><dd>${ledger.oldestUnreviewed === null ? '—' : `${formatNumber(ledger.oldestUnreviewed.ageDays, 0)} d`}</dd></div>
          </dl>
          ${ledger.oldestUnreviewed === null
            ? nothing
            : html`<p class="muted">Oldest never reviewed: <a class="mono" href=${hrefFor('observations', [], { observation: ledger.oldestUnreviewed.observationId })}>${ledger.oldestUnreviewed.observationId}</a>, started ${formatDate(ledger.oldestUnreviewed.startUtc)}.</p>`}
          ${ledger.observationsWithoutTimes === 0 ? nothing : html`<p class="muted">${ledger.observationsWithoutTimes} observations lack a start or end and count as 0 hours; import their logs to complete them.</p>`}
          <h3>Hours by review state</h3>
          <table class="plain">
            <tbody>
              ${STATES.map((state) => html`<tr><th scope="row">${state.label}</th><td class="num">${formatHours(ledger.hoursByReviewState[state.key])} h</td></tr>`)}
            </tbody>
          </table>
        </section>
        <section class="card" aria-labelledby="qa-heading">
          <h2 id="qa-heading">QA coverage and archive time</h2>
          ${this.renderCoverage('Continuum (≥ 15 min on target)', ledger.continuumQaCoverage)}
          ${this.renderCoverage('Spectral line (≥ 3 h on target)', ledger.spectralLineQaCoverage)}
          <h3>Observation end to archived product, as a multiple of the observation's duration</h3>
          <dl class="figures">
            <div><dt>Median</dt><dd>${formatMultiple(ledger.archiveLatency.medianMultiple)}</dd></div>
            <div><dt>90th percentile</dt><dd>${formatMultiple(ledger.archiveLatency.p90Multiple)}</dd></div>
            <div><dt>Maximum</dt><dd>${formatMultiple(ledger.archiveLatency.maxMultiple)}</dd></div>
            <div><dt>Observations</dt><dd>${ledger.archiveLatency.observations}</dd></div>
          </dl>
        </section>
      </div>
      <section class="card">
        <onsky-time-chart
          caption="Hours by month and review state"
          kind="bars"
          unit="hours"
          .x=${months.map((group) => monthStart(group.key) as number)}
          .formatX=${(seconds: number) => new Date(seconds * 1000).toISOString().slice(0, 7)}
          .series=${[
            { label: 'Not looked at in detail', values: months.map((group) => group.hoursNotLookedAtInDetail) },
            { label: 'Inspected or imaged', values: months.map((group) => group.hoursByReviewState.inspected + group.hoursByReviewState.imaged) },
          ]}
        ></onsky-time-chart>
      </section>
      <div class="grid wide">
        ${this.renderGroups('By proposal', 'proposalId', ledger.byProposal)}
        ${this.renderGroups('By band', 'band', ledger.byBand)}
        ${this.renderGroups('By product', 'product', ledger.byProduct)}
        ${this.renderGroups('By month', null, ledger.byMonth)}
      </div>
    `;
  }

  private renderCoverage(label: string, coverage: Coverage): TemplateResult {
    return html`<h3>${label}</h3>
      <p>
        ${coverage.qualifying === 0
          ? html`<span class="muted">No observation qualifies yet.</span>`
          : html`<strong>${formatNumber((coverage.coverage ?? 0) * 100, 0)}%</strong> reviewed: ${coverage.reviewed} of ${coverage.qualifying} qualifying, ${coverage.lookedAtInDetail} in detail.`}
      </p>`;
  }

  private renderGroups(title: string, filter: string | null, groups: readonly Group[]): TemplateResult {
    return html`<section class="card" aria-label=${title}>
      <h2>${title}</h2>
      <table class="plain">
        <thead><tr><th scope="col">${title.replace('By ', '').replace(/^./, (letter) => letter.toUpperCase())}</th><th scope="col" class="num">Observations</th><th scope="col" class="num">Hours</th><th scope="col" class="num">Not looked at</th><th scope="col" class="num">Never reviewed</th></tr></thead>
        <tbody>
          ${groups.map(
            (group) => html`<tr>
              <th scope="row">${filter === null || group.key === 'unknown' ? group.key : html`<a href=${hrefFor('observations', [], { [filter]: group.key })}>${group.key}</a>`}</th>
              <td class="num">${group.observations}</td>
              <td class="num">${formatHours(group.hours)}</td>
              <td class="num">${formatHours(group.hoursNotLookedAtInDetail)}</td>
              <td class="num">${formatHours(group.hoursByReviewState.neverReviewed)}</td>
            </tr>`,
          )}
        </tbody>
      </table>
    </section>`;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'onsky-unverified-page': OnskyUnverifiedPage;
  }
}

/** Formats a multiple of an observation's duration, e.g. `1.25×`; a dash when none is known. */
function formatMultiple(value: number | null): string {
  return value === null ? '—' : `${formatNumber(value, 2)}×`;
}
