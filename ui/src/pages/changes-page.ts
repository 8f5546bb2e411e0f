/**
 * `<onsky-changes-page>` (`#/changes?…`): the timeline of changes, deliveries, verifications,
 * suspicions and observations, one change's detail, and the configuration in effect at a chosen
 * time (which change of each component was live). It also lists what changed between two chosen
 * observations.
 */
import { Task } from '@lit/task';
import { html, nothing, type TemplateResult } from 'lit';
import { customElement } from 'lit/decorators.js';
import { request } from '../api/client.js';
import { OnskyPage, formatUtc } from '../app/page.js';
import { hrefFor, updateQuery } from '../app/routes.js';
import type { Column } from '../widgets/data-table.js';
import '../widgets/data-table.js';
import { noChanges } from './empty.js';
import { pageStyles } from './page.styles.js';

interface ChangeNode {
  readonly changeId: string;
  readonly status: string;
  readonly kind: string;
  readonly subsystem: string;
  readonly components: readonly string[];
  readonly version: string;
  readonly summary: string;
  readonly deliversFeatures: readonly string[];
  readonly suspectFeatureKeys: readonly string[];
  readonly recordedAt: string | null;
  readonly deployments: readonly { readonly deploymentId: string; readonly deployedAt: string; readonly rolledBackAt: string | null }[];
  readonly rollbacks: readonly { readonly rolledBackAt: string; readonly reason: string }[];
}

/** One line of the timeline, as the API's `timeline` returns it. */
interface TimelineEntry {
  readonly at: string;
  /** change-recorded, change-deployed, change-rolled-back, feature-delivered, verification, suspicion, suspicion-cleared or observation. */
  readonly kind: string;
  readonly changeId: string | null;
  readonly featureKey: string | null;
  readonly observationId: string | null;
  readonly components: readonly string[];
  readonly summary: string;
}

interface Configuration {
  readonly component: string;
  readonly changeId: string;
  readonly deployedAt: string;
  readonly version: string;
  readonly summary: string;
}

interface ChangesBetween {
  readonly fromObservationId: string;
  readonly toObservationId: string;
  readonly fromUtc: string;
  readonly toUtc: string;
  readonly changes: readonly { readonly changeId: string; readonly action: string; readonly at: string; readonly components: readonly string[]; readonly summary: string }[];
}

const CHANGE_QUERY = /* GraphQL */ `
  query Change($changeId: String!, $asOf: String, $now: String) {
    change(changeId: $changeId, asOf: $asOf, now: $now) {
          changeId
          status
          kind
          subsystem
          components
          version
          summary
          deliversFeatures
          suspectFeatureKeys
          recordedAt
          deployments {
            deploymentId
            deployedAt
            rolledBackAt
          }
          rollbacks {
            rolledBackAt
            reason
          }
    }
  }
`;

const TIMELINE_QUERY = /* GraphQL */ `
  query Timeline($asOf: String, $now: String, $kinds: [String!], $offset: Int, $limit: Int) {
    timeline(asOf: $asOf, now: $now, kinds: $kinds, offset: $offset, limit: $limit) {
      total
      entries {
        at
        kind
        changeId
        featureKey
        observationId
        components
        summary
      }
    }
  }
`;

/** Entries the API returns per request at most; the page shows the newest this many. */
const TIMELINE_LIMIT = 2000;

/** The timeline's kind filter: URL value, label and the API kinds it selects (`null`: all). */
const KIND_FILTERS: readonly { readonly value: string; readonly label: string; readonly kinds: readonly string[] | null }[] = [
  { value: '', label: 'Everything', kinds: null },
  { value: 'changes', label: 'Changes', kinds: ['change-recorded', 'change-deployed', 'change-rolled-back'] },
  { value: 'features', label: 'Deliveries, verifications and suspicions', kinds: ['feature-delivered', 'verification', 'suspicion', 'suspicion-cleared'] },
  { value: 'observations', label: 'Observations', kinds: ['observation'] },
];

const CONFIGURATION_QUERY = /* GraphQL */ `
  query Configuration($at: String!, $asOf: String, $now: String) {
    configuration(at: $at, asOf: $asOf, now: $now) {
      component
      changeId
      deployedAt
      version
      summary
    }
  }
`;

const BETWEEN_QUERY = /* GraphQL */ `
  query ChangesBetween($observationA: String!, $observationB: String!, $asOf: String, $now: String) {
    changesBetween(observationA: $observationA, observationB: $observationB, asOf: $asOf, now: $now) {
      fromObservationId
      toObservationId
      fromUtc
      toUtc
      changes {
        changeId
        action
        at
        components
        summary
      }
    }
  }
`;

/** Badge colour of each kind: deployments and deliveries amber, rollbacks and suspicions red, verifications green. */
const KIND_BADGES: Readonly<Record<string, string>> = {
  'change-deployed': 'delivered',
  'feature-delivered': 'delivered',
  'change-rolled-back': 'failed',
  suspicion: 'failed',
  verification: 'verified',
  'suspicion-cleared': 'verified',
};

@customElement('onsky-changes-page')
export class OnskyChangesPage extends OnskyPage {
  static override styles = pageStyles;

  private readonly timeline = new Task(this, {
    task: async ([asOf, now, , filter], { signal }) => {
      const kinds = KIND_FILTERS.find((entry) => entry.value === filter)?.kinds ?? null;
      type Page = { timeline: { total: number; entries: TimelineEntry[] } };
      const first = await request<Page>(TIMELINE_QUERY, { asOf, now, kinds, offset: 0, limit: TIMELINE_LIMIT }, signal);
      let page = first.timeline;
      // Entries come oldest first; past the limit, fetch the newest ones instead.
      if (page.total > TIMELINE_LIMIT) {
        page = (await request<Page>(TIMELINE_QUERY, { asOf, now, kinds, offset: page.total - TIMELINE_LIMIT, limit: TIMELINE_LIMIT }, signal)).timeline;
      }
      return { total: page.total, entries: [...page.entries].reverse() };
    },
    args: () => [...this.clockArgs, this.route.query.get('kinds') ?? ''] as const,
  });

  private readonly change = new Task(this, {
    task: async ([asOf, now, , changeId], { signal }) => {
      if (changeId === '') return null;
      return (await request<{ change: ChangeNode | null }>(CHANGE_QUERY, { changeId, asOf, now }, signal)).change ?? 'missing';
    },
    args: () => [...this.clockArgs, this.route.query.get('change') ?? ''] as const,
  });

  private readonly configuration = new Task(this, {
    task: async ([asOf, now, , at], { signal }) => {
      if (at === '') return null;
      const data = await request<{ configuration: readonly Configuration[] }>(CONFIGURATION_QUERY, { at, asOf, now }, signal);
      return data.configuration;
    },
    args: () => [...this.clockArgs, this.route.query.get('at') ?? ''] as const,
  });

  private readonly between = new Task(this, {
    task: async ([asOf, now, , observationA, observationB], { signal }) => {
      if (observationA === '' || observationB === '') return null;
      const data = await request<{ changesBetween: ChangesBetween | null }>(BETWEEN_QUERY, { observationA, observationB, asOf, now }, signal);
      return data.changesBetween ?? 'missing';
    },
    args: () => [...this.clockArgs, this.route.query.get('from') ?? '', this.route.query.get('to') ?? ''] as const,
  });

  private readonly columns: readonly Column<TimelineEntry>[] = [
    { label: 'When', width: '170px', render: (row) => formatUtc(row.at), sortValue: (row) => row.at },
    { label: 'What', width: '150px', render: (row) => html`<span class=${`badge ${KIND_BADGES[row.kind] ?? ''}`}>${row.kind.replaceAll('-', ' ')}</span>`, sortValue: (row) => row.kind },
    { label: 'Subject', width: 'minmax(140px, 1fr)', render: (row) => this.renderSubject(row) },
    { label: 'Components', width: 'minmax(120px, 1.2fr)', render: (row) => html`<span class="mono">${row.components.join(', ')}</span>` },
    { label: 'Summary', width: 'minmax(180px, 3fr)', render: (row) => html`<span title=${row.summary}>${row.summary}</span>` },
  ];

  private renderSubject(row: TimelineEntry): TemplateResult {
    if (row.changeId !== null && row.kind.startsWith('change')) return html`<a class="mono" href=${hrefFor('changes', [], { change: row.changeId })}>${row.changeId}</a>`;
    if (row.featureKey !== null) return html`<a class="mono" href=${hrefFor('features', [row.featureKey])}>${row.featureKey}</a>`;
    if (row.observationId !== null) return html`<a class="mono" href=${hrefFor('observations', [], { observation: row.observationId })}>${row.observationId}</a>`;
    return html`<span class="mono">${row.changeId ?? '—'}</span>`;
  }

  override render(): TemplateResult {
    return html`
      <h1>Changes</h1>
      <p class="lede">Software releases, firmware, configuration, kernel upgrades and hardware swaps, with what was live when, and what changed between two observations.</p>
      <div class="grid">
        ${this.renderConfigurationCard()}
        ${this.renderBetweenCard()}
      </div>
      ${this.route.query.get('change') === null ? nothing : this.renderTask(this.change, (change) => this.renderSelectedChange(change))}
      ${this.renderTask(this.timeline, (page) => this.renderTimeline(page.total, page.entries))}
    `;
  }

  private renderSelectedChange(change: ChangeNode | 'missing' | null): TemplateResult | typeof nothing {
    if (change === null) return nothing;
    if (change === 'missing') {
      return html`<p class="error" role="alert">No change has the id "${this.route.query.get('change')}". <a href=${hrefFor('changes', [], { change: null })}>Show every change</a>.</p>`;
    }
    return this.renderChange(change);
  }

  private renderTimeline(total: number, entries: readonly TimelineEntry[]): TemplateResult {
    const filter = this.route.query.get('kinds') ?? '';
    return html`<section class="card" aria-labelledby="timeline-heading">
      <h2 id="timeline-heading">Timeline, newest first</h2>
      <div class="filters">
        <label>Show
          <select @change=${(event: Event) => updateQuery({ kinds: (event.target as HTMLSelectElement).value })}>
            ${KIND_FILTERS.map((entry) => html`<option value=${entry.value} ?selected=${entry.value === filter}>${entry.label}</option>`)}
          </select>
        </label>
        ${total > entries.length ? html`<span class="muted">The newest ${entries.length.toLocaleString('en-GB')} of ${total.toLocaleString('en-GB')} entries; pick one kind to see further back.</span>` : nothing}
      </div>
      <onsky-table label="Timeline" noun="entries" .columns=${this.columns} .rows=${entries} .empty=${noChanges()}></onsky-table>
    </section>`;
  }

  private renderChange(change: ChangeNode): TemplateResult {
    return html`<section class="card" aria-labelledby="change-heading">
      <h2 id="change-heading"><span class="mono">${change.changeId}</span> ${change.summary}</h2>
      <dl class="facts">
        <dt>Status</dt><dd>${change.status}</dd>
        <dt>Kind, subsystem</dt><dd>${change.kind}, ${change.subsystem}</dd>
        <dt>Version</dt><dd class="mono">${change.version || '—'}</dd>
        <dt>Components</dt><dd class="mono">${change.components.join(', ') || '—'}</dd>
        <dt>Delivers</dt><dd>${change.deliversFeatures.length === 0 ? '—' : change.deliversFeatures.map((key) => html`<a href=${hrefFor('features', [key])}>${key}</a> `)}</dd>
        <dt>Made suspect</dt><dd>${change.suspectFeatureKeys.length === 0 ? '—' : change.suspectFeatureKeys.map((key) => html`<a href=${hrefFor('features', [key])}>${key}</a> `)}</dd>
      </dl>
    </section>`;
  }

  private renderConfigurationCard(): TemplateResult {
    const at = this.route.query.get('at') ?? '';
    return html`<section class="card" aria-labelledby="configuration-heading">
      <h2 id="configuration-heading">Configuration in effect</h2>
      <form class="filters" @submit=${(event: SubmitEvent) => this.submitQuery(event, ['at'])}>
        <label>At (UTC)<input name="at" type="datetime-local" step="1" .value=${at.slice(0, 19)} required /></label>
        <button type="submit">Show</button>
      </form>
      ${at === ''
        ? html`<p class="muted">Pick a time to see which change of each component was live then.</p>`
        : this.renderTask(this.configuration, (rows) =>
            rows === null || rows.length === 0
              ? html`<p class="muted">No change was deployed at or before ${formatUtc(at)}.</p>`
              : html`<table class="plain">
                  <thead><tr><th scope="col">Component</th><th scope="col">Change</th><th scope="col">Version</th><th scope="col">Deployed</th></tr></thead>
                  <tbody>
                    ${rows.map(
                      (row) => html`<tr>
                        <td class="mono">${row.component}</td>
                        <td><a href=${hrefFor('changes', [], { change: row.changeId, at })}>${row.changeId}</a></td>
                        <td class="mono">${row.version || '—'}</td>
                        <td>${formatUtc(row.deployedAt)}</td>
                      </tr>`,
                    )}
                  </tbody>
                </table>`,
          )}
    </section>`;
  }

  private renderBetweenCard(): TemplateResult {
    const from = this.route.query.get('from') ?? '';
    const to = this.route.query.get('to') ?? '';
    return html`<section class="card" aria-labelledby="between-heading">
      <h2 id="between-heading">What changed between two observations</h2>
      <form class="filters" @submit=${(event: SubmitEvent) => this.submitQuery(event, ['from', 'to'])}>
        <label>Observation A<input name="from" .value=${from} placeholder="1551803062" required /></label>
        <label>Observation B<input name="to" .value=${to} placeholder="sb-20190308-0083" required /></label>
        <button type="submit">Compare</button>
      </form>
      ${from === '' || to === ''
        ? html`<p class="muted">Give two observation ids (capture block or sb- id) to list the deployments and rollbacks between their starts.</p>`
        : this.renderTask(this.between, (between) =>
            between === null
              ? nothing
              : between === 'missing'
                ? html`<p role="alert">One of the observations is unknown or has no start time. Check both ids on the <a href=${hrefFor('observations')}>Observations page</a>.</p>`
                : html`<p>From <span class="mono">${between.fromObservationId}</span> (${formatUtc(between.fromUtc)}) to <span class="mono">${between.toObservationId}</span> (${formatUtc(between.toUtc)}):</p>
                    ${between.changes.length === 0
                      ? html`<p class="muted">Nothing was deployed or rolled back in between.</p>`
                      : html`<ol class="timeline">
                          ${between.changes.map(
                            (change) => html`<li class=${change.action === 'rolled-back' ? 'failed' : ''}>
                              <time datetime=${change.at}>${formatUtc(change.at)}</time>
                              <a href=${hrefFor('changes', [], { change: change.changeId, from, to })}>${change.changeId}</a> ${change.action}: ${change.summary}
                              <span class="muted mono">(${change.components.join(', ')})</span>
                            </li>`,
                          )}
                        </ol>`}`,
          )}
    </section>`;
  }

  private submitQuery(event: SubmitEvent, names: readonly string[]): void {
    event.preventDefault();
    const form = new FormData(event.target as HTMLFormElement);
    const changes: Record<string, string | null> = {};
    for (const name of names) {
      let value = String(form.get(name) ?? '').trim();
      if (name === 'at' && value !== '') value = `${value.length === 16 ? `${value}:00` : value}Z`;
      changes[name] = value === '' ? null : value;
    }
    updateQuery(changes);
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'onsky-changes-page': OnskyChangesPage;
  }
}
