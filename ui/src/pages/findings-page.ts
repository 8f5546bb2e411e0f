/**
 * `<onsky-findings-page>` (`#/findings?q=…`): the knowledge base of findings (symptom, cause,
 * workaround) with what each concerns, searchable by words. All text is user-entered and is
 * rendered through Lit bindings, so it shows as text.
 */
import { Task } from '@lit/task';
import { html, nothing, type TemplateResult } from 'lit';
import { customElement } from 'lit/decorators.js';
import { fetchAllNodes, type Connection } from '../api/connection.js';
import { OnskyPage, formatDate } from '../app/page.js';
import { hrefFor, updateQuery } from '../app/routes.js';
import { pageStyles } from './page.styles.js';

interface Finding {
  readonly findingId: string;
  readonly title: string;
  readonly symptom: string;
  readonly cause: string;
  readonly workaround: string;
  readonly recordedBy: string;
  readonly revisedAt: string;
  readonly links: {
    readonly hosts: readonly string[];
    readonly components: readonly string[];
    readonly changeIds: readonly string[];
    readonly observationIds: readonly string[];
    readonly ticketKeys: readonly string[];
  };
}

const FINDINGS_QUERY = /* GraphQL */ `
  query Findings($text: String, $asOf: String, $now: String, $first: Int, $after: String) {
    findings(text: $text, asOf: $asOf, now: $now, first: $first, after: $after) {
      edges {
        node {
          findingId
          title
          symptom
          cause
          workaround
          recordedBy
          revisedAt
          links {
            hosts
            components
            changeIds
            observationIds
            ticketKeys
          }
        }
      }
      pageInfo {
        hasNextPage
        endCursor
      }
    }
  }
`;

@customElement('onsky-findings-page')
export class OnskyFindingsPage extends OnskyPage {
  static override styles = pageStyles;

  private readonly findings = new Task(this, {
    task: async ([asOf, now, , text], { signal }) => {
      const { nodes } = await fetchAllNodes<{ findings: Connection<Finding> }, Finding>(
        FINDINGS_QUERY,
        { asOf, now, text: text === '' ? null : text },
        (data) => data.findings,
        signal,
      );
      return nodes;
    },
    args: () => [...this.clockArgs, this.route.query.get('q') ?? ''] as const,
  });

  override render(): TemplateResult {
    const text = this.route.query.get('q') ?? '';
    return html`
      <h1>Findings</h1>
      <p class="lede">What commissioning has learnt: symptoms, causes and workarounds, linked to hosts, components, changes, observations and tickets.</p>
      <form class="card filters" role="search" aria-label="Search findings" @submit=${this.search}>
        <label>Words<input name="q" type="search" .value=${text} placeholder="straggler, noise diode, m010" size="40" /></label>
        <button type="submit">Search</button>
      </form>
      ${this.renderTask(this.findings, (findings) => this.renderFindings(findings, text))}
    `;
  }

  private search(event: SubmitEvent): void {
    event.preventDefault();
    const form = new FormData(event.target as HTMLFormElement);
    updateQuery({ q: String(form.get('q') ?? '').trim() || null });
  }

  private renderFindings(findings: readonly Finding[], text: string): TemplateResult {
    if (findings.length === 0) {
      return html`<p class="card muted">${text === ''
        ? html`No findings yet. Record one through the API's <code>recordFinding</code> mutation, or import Jira tickets on the <a href=${hrefFor('import')}>Import page</a>.`
        : `No finding mentions "${text}". Try fewer or other words.`}</p>`;
    }
    return html`<p class="muted" role="status">${findings.length} ${findings.length === 1 ? 'finding' : 'findings'}</p>
      ${findings.map(
        (finding) => html`<article class="card" aria-labelledby=${`finding-${finding.findingId}`}>
          <h2 id=${`finding-${finding.findingId}`}><span class="mono">${finding.findingId}</span> ${finding.title}</h2>
          <dl class="facts">
            <dt>Symptom</dt><dd>${finding.symptom}</dd>
            <dt>Cause</dt><dd>${finding.cause || html`<span class="muted">unknown so far</span>`}</dd>
            <dt>Workaround</dt><dd>${finding.workaround || html`<span class="muted">none yet</span>`}</dd>
            ${this.renderLinks(finding)}
          </dl>
          <p class="muted">Recorded by ${finding.recordedBy}, last revised ${formatDate(finding.revisedAt)}</p>
        </article>`,
      )}`;
  }

  private renderLinks(finding: Finding): TemplateResult {
    const { hosts, components, changeIds, observationIds, ticketKeys } = finding.links;
    return html`
      ${hosts.length === 0 ? nothing : html`<dt>Hosts</dt><dd class="mono">${hosts.join(', ')}</dd>`}
      ${components.length === 0 ? nothing : html`<dt>Components</dt><dd class="mono">${components.join(', ')}</dd>`}
      ${changeIds.length === 0 ? nothing : html`<dt>Changes</dt><dd>${changeIds.map((id) => html`<a href=${hrefFor('changes', [], { change: id })}>${id}</a> `)}</dd>`}
      ${observationIds.length === 0 ? nothing : html`<dt>Observations</dt><dd>${observationIds.map((id) => html`<a class="mono" href=${hrefFor('observations', [], { observation: id })}>${id}</a> `)}</dd>`}
      ${ticketKeys.length === 0 ? nothing : html`<dt>Tickets</dt><dd class="mono">${ticketKeys.join(', ')}</dd>`}
    `;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'onsky-findings-page': OnskyFindingsPage;
  }
}
