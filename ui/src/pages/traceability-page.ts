/**
 * `<onsky-traceability-page>` (`#/traceability`): requirement → features → changes →
 * observations → verifications → tickets, with each requirement's coverage from "not covered"
 * to "fully verified", and failures called out.
 */
import { Task } from '@lit/task';
import { html, nothing, type TemplateResult } from 'lit';
import { customElement } from 'lit/decorators.js';
import { request } from '../api/client.js';
import { enumText } from '../api/connection.js';
import { OnskyPage, formatDate } from '../app/page.js';
import { hrefFor, updateQuery } from '../app/routes.js';
import { noFeatures } from './empty.js';
import { pageStyles } from './page.styles.js';

interface Trace {
  readonly requirementRef: string;
  readonly coverage: string;
  readonly featureCount: number;
  readonly verifiedFeatureCount: number;
  readonly features: readonly {
    readonly featureKey: string;
    readonly title: string;
    readonly status: string;
    readonly changeIds: readonly string[];
    readonly observationIds: readonly string[];
    readonly ticketKeys: readonly string[];
    readonly verifications: readonly { readonly verificationId: string; readonly outcome: string; readonly verifiedAt: string }[];
  }[];
}

const TRACE_QUERY = /* GraphQL */ `
  query Traceability($asOf: String, $now: String) {
    traceability(asOf: $asOf, now: $now) {
      requirementRef
      coverage
      featureCount
      verifiedFeatureCount
      features {
        featureKey
        title
        status
        changeIds
        observationIds
        ticketKeys
        verifications {
          verificationId
          outcome
          verifiedAt
        }
      }
    }
  }
`;

/** Coverage levels from worst to best, as the summary bar shows them. */
const COVERAGE_LEVELS = ['has-failures', 'not-covered', 'not-verified', 'partially-verified', 'fully-verified'] as const;

/** Words for each coverage level that read after a count: "2 with failures", "1 not covered". */
const COVERAGE_LABELS: Readonly<Record<(typeof COVERAGE_LEVELS)[number], string>> = {
  'has-failures': 'with failures',
  'not-covered': 'not covered',
  'not-verified': 'not verified',
  'partially-verified': 'partially verified',
  'fully-verified': 'fully verified',
};

@customElement('onsky-traceability-page')
export class OnskyTraceabilityPage extends OnskyPage {
  static override styles = pageStyles;

  private readonly traces = new Task(this, {
    task: async ([asOf, now], { signal }) => (await request<{ traceability: readonly Trace[] }>(TRACE_QUERY, { asOf, now }, signal)).traceability,
    args: () => this.clockArgs,
  });

  override render(): TemplateResult {
    return html`
      <h1>Traceability</h1>
      <p class="lede">Each requirement with the features that implement it, the changes that delivered them, and the observations and verifications that prove them.</p>
      ${this.renderTask(this.traces, (traces) => this.renderTraces(traces))}
    `;
  }

  private renderTraces(traces: readonly Trace[]): TemplateResult {
    if (traces.length === 0) return html`<p class="card muted">No requirements yet: features name them. ${noFeatures()}</p>`;
    const focus = this.route.query.get('requirement');
    const coverage = this.route.query.get('coverage');
    const shown = traces.filter((trace) => (focus === null || trace.requirementRef === focus) && (coverage === null || trace.coverage === coverage));
    return html`
      <section class="card" aria-labelledby="coverage-heading">
        <h2 id="coverage-heading">Coverage of ${traces.length} requirements</h2>
        <div class="chips">
          ${COVERAGE_LEVELS.map((level) => {
            const count = traces.filter((trace) => trace.coverage === level).length;
            return html`<a class=${`badge ${level}`} href=${hrefFor('traceability', [], { coverage: coverage === level ? null : level })} aria-current=${coverage === level ? 'true' : nothing}>${count} ${COVERAGE_LABELS[level]}</a>`;
          })}
          ${focus === null && coverage === null ? nothing : html`<button class="secondary" @click=${() => updateQuery({ requirement: null, coverage: null })}>Show all</button>`}
        </div>
      </section>
      <section class="card" aria-labelledby="trace-heading">
        <h2 id="trace-heading">Requirements</h2>
        <table class="plain">
          <thead>
            <tr><th scope="col">Requirement</th><th scope="col">Coverage</th><th scope="col">Feature</th><th scope="col">Status</th><th scope="col">Changes</th><th scope="col">Verifications</th><th scope="col">Observations</th><th scope="col">Tickets</th></tr>
          </thead>
          <tbody>
            ${shown.map((trace) => this.renderTrace(trace))}
          </tbody>
        </table>
      </section>
    `;
  }

  private renderTrace(trace: Trace): TemplateResult {
    const span = Math.max(1, trace.features.length);
    const head = html`<th scope="row" rowspan=${span}><a class="mono" href=${hrefFor('traceability', [], { requirement: trace.requirementRef })}>${trace.requirementRef}</a></th>
      <td rowspan=${span}><span class=${`badge ${trace.coverage}`}>${COVERAGE_LABELS[trace.coverage as (typeof COVERAGE_LEVELS)[number]] ?? trace.coverage}</span><div class="muted">${trace.verifiedFeatureCount} of ${trace.featureCount} verified</div></td>`;
    if (trace.features.length === 0) {
      return html`<tr>${head}<td colspan="6" class="muted">No feature implements it yet.</td></tr>`;
    }
    return html`${trace.features.map((feature, index) => {
      const status = enumText(feature.status);
      return html`<tr>
        ${index === 0 ? head : nothing}
        <td><a class="mono" href=${hrefFor('features', [feature.featureKey])}>${feature.featureKey}</a><div>${feature.title}</div></td>
        <td><span class=${`badge ${status}`}>${status}</span></td>
        <td>${feature.changeIds.map((id) => html`<a href=${hrefFor('changes', [], { change: id })}>${id}</a> `)}</td>
        <td>${feature.verifications.map((verification) => html`<div><span class=${`badge ${enumText(verification.outcome)}`}>${enumText(verification.outcome)}</span> ${formatDate(verification.verifiedAt)}</div>`)}</td>
        <td class="mono">${feature.observationIds.map((id) => html`<a href=${hrefFor('observations', [], { observation: id })}>${id}</a> `)}</td>
        <td class="mono">${feature.ticketKeys.join(', ')}</td>
      </tr>`;
    })}`;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'onsky-traceability-page': OnskyTraceabilityPage;
  }
}
