/**
 * `<onsky-feature-page>` (`#/features/KEY`): one feature's timeline (proposal, deliveries,
 * verifications, suspicions and their causes), its evidence observations and everything linked
 * to it: changes, tickets, requirements and findings.
 */
import { Task } from '@lit/task';
import { html, nothing, type TemplateResult } from 'lit';
import { customElement } from 'lit/decorators.js';
import { request } from '../api/client.js';
import { enumText } from '../api/connection.js';
import { OnskyPage, formatNumber, formatUtc } from '../app/page.js';
import { hrefFor } from '../app/routes.js';
import { pageStyles } from './page.styles.js';

interface FeatureDetail {
  readonly featureKey: string;
  readonly title: string;
  readonly subsystem: string;
  readonly status: string;
  readonly components: readonly string[];
  readonly requirementRefs: readonly string[];
  readonly costOfDelay: number;
  readonly developmentWsjf: number;
  readonly verificationWsjf: number;
  readonly verificationEffort: number;
  readonly daysWaiting: number | null;
  readonly deliveringChangeId: string | null;
  readonly evidenceCriteria: Readonly<Record<string, string | number | readonly string[] | null>>;
  readonly history: readonly { readonly kind: string; readonly at: string; readonly changeId: string | null; readonly detail: string }[];
  readonly suspicions: readonly {
    readonly changeId: string;
    readonly changeSummary: string | null;
    readonly sharedComponents: readonly string[];
    readonly markedAt: string;
    readonly endedAt: string | null;
    readonly justification: string | null;
  }[];
  readonly verifications: {
    readonly edges: readonly {
      readonly node: { readonly verificationId: string; readonly outcome: string; readonly observationIds: readonly string[]; readonly notes: string; readonly verifiedBy: string; readonly verifiedAt: string };
    }[];
  };
  readonly citedObservationIds: readonly string[];
  readonly changeIds: readonly string[];
  readonly ticketKeys: readonly string[];
  readonly findingIds: readonly string[];
}

const FEATURE_QUERY = /* GraphQL */ `
  query Feature($featureKey: String!, $asOf: String, $now: String) {
    feature(featureKey: $featureKey, asOf: $asOf, now: $now) {
      featureKey
      title
      subsystem
      status
      components
      requirementRefs
      costOfDelay
      developmentWsjf
      verificationWsjf
      verificationEffort
      daysWaiting
      deliveringChangeId
      evidenceCriteria {
        band
        product
        minReceptors
        minOnTargetSeconds
        targetTags
        scanKind
      }
      history {
        kind
        at
        changeId
        detail
      }
      suspicions {
        changeId
        changeSummary
        sharedComponents
        markedAt
        endedAt
        justification
      }
      verifications(first: 100) {
        edges {
          node {
            verificationId
            outcome
            observationIds
            notes
            verifiedBy
            verifiedAt
          }
        }
      }
      citedObservationIds
      changeIds
      ticketKeys
      findingIds
    }
  }
`;

@customElement('onsky-feature-page')
export class OnskyFeaturePage extends OnskyPage {
  static override styles = pageStyles;

  private readonly feature = new Task(this, {
    task: async ([asOf, now, , featureKey], { signal }) => {
      const data = await request<{ feature: FeatureDetail | null }>(FEATURE_QUERY, { featureKey, asOf, now }, signal);
      return data.feature;
    },
    args: () => [...this.clockArgs, this.route.segments[0] ?? ''] as const,
  });

  override render(): TemplateResult {
    const key = this.route.segments[0] ?? '';
    return html`
      <p><a href=${hrefFor('features')}>← All features</a></p>
      ${this.renderTask(this.feature, (feature) =>
        feature === null
          ? html`<h1>${key}</h1>
              <p role="alert">No feature has the key "${key}"${this.session.asOf === null ? '' : ' at this time'}. Check the key on the <a href=${hrefFor('features')}>Features page</a>, or press Now in the time control.</p>`
          : this.renderFeature(feature),
      )}
    `;
  }

  private renderFeature(feature: FeatureDetail): TemplateResult {
    const status = enumText(feature.status);
    const criteria = Object.entries(feature.evidenceCriteria).filter(([, value]) => value !== null && !(Array.isArray(value) && value.length === 0));
    return html`
      <div class="page-head">
        <div>
          <h1><span class="mono">${feature.featureKey}</span> ${feature.title}</h1>
          <p class="lede">${feature.subsystem} · <span class=${`badge ${status}`}>${status}</span>
            ${feature.daysWaiting === null ? nothing : html` · waiting ${formatNumber(feature.daysWaiting, 0)} days`}</p>
        </div>
        ${status === 'delivered' || status === 'suspect' ? html`<a class="button" href=${hrefFor('queue', [], { feature: feature.featureKey })}>Record a verification</a>` : nothing}
      </div>
      <div class="two">
        <section class="card" aria-labelledby="timeline-heading">
          <h2 id="timeline-heading">Timeline</h2>
          <ol class="timeline">
            ${feature.history.map(
              (item) => html`<li class=${item.kind}>
                <time datetime=${item.at}>${formatUtc(item.at)}</time>
                <strong>${item.kind.replace('-', ' ')}</strong> · ${item.detail}
                ${item.changeId === null ? nothing : html` (<a href=${hrefFor('changes', [], { change: item.changeId })}>${item.changeId}</a>)`}
              </li>`,
            )}
          </ol>
          ${feature.suspicions.length === 0 ? nothing : this.renderSuspicions(feature)}
        </section>
        <div>
          <section class="card" aria-labelledby="wsjf-heading">
            <h2 id="wsjf-heading">WSJF and criteria</h2>
            <dl class="figures">
              <div><dt>Cost of delay</dt><dd>${formatNumber(feature.costOfDelay)}</dd></div>
              <div><dt>Verification WSJF</dt><dd>${formatNumber(feature.verificationWsjf, 2)}</dd></div>
              <div><dt>Development WSJF</dt><dd>${formatNumber(feature.developmentWsjf, 2)}</dd></div>
              <div><dt>Verification effort</dt><dd>${feature.verificationEffort}</dd></div>
            </dl>
            <h3>Evidence criteria</h3>
            ${criteria.length === 0
              ? html`<p class="muted">No criteria: any archived observation after delivery qualifies.</p>`
              : html`<dl class="facts">
                  ${criteria.map(([name, value]) => {
                    const [label, text] = describeCriterion(name, value as string | number | readonly string[]);
                    return html`<dt>${label}</dt><dd>${text}</dd>`;
                  })}
                  <dt>Taken</dt><dd>after the delivering deployment</dd>
                </dl>`}
          </section>
          <section class="card" aria-labelledby="links-heading">
            <h2 id="links-heading">Links</h2>
            <dl class="facts">
              <dt>Components</dt><dd>${list(feature.components, (name) => html`<span class="mono">${name}</span>`)}</dd>
              <dt>Requirements</dt><dd>${list(feature.requirementRefs, (ref) => html`<a href=${hrefFor('traceability', [], { requirement: ref })}>${ref}</a>`)}</dd>
              <dt>Changes</dt><dd>${list(feature.changeIds, (id) => html`<a href=${hrefFor('changes', [], { change: id })}>${id}</a>`)}</dd>
              <dt>Tickets</dt><dd>${list(feature.ticketKeys, (key) => html`<span class="mono">${key}</span>`)}</dd>
              <dt>Findings</dt><dd>${list(feature.findingIds, (id) => html`<a href=${hrefFor('findings', [], { q: id })}>${id}</a>`)}</dd>
              <dt>Evidence</dt><dd>${list(feature.citedObservationIds, (id) => html`<a class="mono" href=${hrefFor('observations', [], { q: id })}>${id}</a>`)}</dd>
            </dl>
          </section>
        </div>
      </div>
      ${this.renderVerifications(feature)}
    `;
  }

  private renderSuspicions(feature: FeatureDetail): TemplateResult {
    return html`<h3>Suspicions</h3>
      <table class="plain">
        <thead><tr><th scope="col">Change</th><th scope="col">Shared components</th><th scope="col">Marked</th><th scope="col">Ended</th></tr></thead>
        <tbody>
          ${feature.suspicions.map(
            (suspicion) => html`<tr>
              <td><a href=${hrefFor('changes', [], { change: suspicion.changeId })}>${suspicion.changeId}</a>${suspicion.changeSummary === null ? nothing : html`<div class="muted">${suspicion.changeSummary}</div>`}</td>
              <td>${suspicion.sharedComponents.join(', ')}</td>
              <td>${formatUtc(suspicion.markedAt)}</td>
              <td>${suspicion.endedAt === null ? html`<span class="badge suspect">open</span>` : html`${formatUtc(suspicion.endedAt)}${suspicion.justification === null ? ' (verified)' : html`<div class="muted">${suspicion.justification}</div>`}`}</td>
            </tr>`,
          )}
        </tbody>
      </table>`;
  }

  private renderVerifications(feature: FeatureDetail): TemplateResult {
    const verifications = feature.verifications.edges.map((edge) => edge.node);
    return html`<section class="card" aria-labelledby="verifications-heading">
      <h2 id="verifications-heading">Verifications</h2>
      ${verifications.length === 0
        ? html`<p class="muted">Not verified yet. Record one from the <a href=${hrefFor('queue', [], { feature: feature.featureKey })}>verification queue</a> once the feature is delivered.</p>`
        : html`<table class="plain">
            <thead><tr><th scope="col">When</th><th scope="col">Outcome</th><th scope="col">Observations</th><th scope="col">By</th><th scope="col">Notes</th></tr></thead>
            <tbody>
              ${verifications.map(
                (verification) => html`<tr>
                  <td>${formatUtc(verification.verifiedAt)}</td>
                  <td><span class=${`badge ${enumText(verification.outcome)}`}>${enumText(verification.outcome)}</span></td>
                  <td class="mono">${verification.observationIds.join(', ')}</td>
                  <td>${verification.verifiedBy}</td>
                  <td>${verification.notes}</td>
                </tr>`,
              )}
            </tbody>
          </table>`}
    </section>`;
  }
}

/** Evidence criteria in words, with units. */
function describeCriterion(name: string, value: string | number | readonly string[]): [string, string] {
  switch (name) {
    case 'band':
      return ['Band', String(value)];
    case 'product':
      return ['Product', String(value)];
    case 'minReceptors':
      return ['Receptors', `at least ${String(value)}`];
    case 'minOnTargetSeconds':
      return ['On target', `at least ${formatNumber(Number(value) / 60, 1)} min`];
    case 'targetTags':
      return ['Target tags', (value as readonly string[]).join(', ')];
    case 'scanKind':
      return ['Scan kind', String(value)];
    default:
      return [name, Array.isArray(value) ? value.join(', ') : String(value)];
  }
}

function list(values: readonly string[], render: (value: string) => TemplateResult): TemplateResult {
  if (values.length === 0) return html`<span class="muted">none</span>`;
  return html`<span class="chips">${values.map(render)}</span>`;
}

declare global {
  interface HTMLElementTagNameMap {
    'onsky-feature-page': OnskyFeaturePage;
  }
}
