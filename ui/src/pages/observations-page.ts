/**
 * `<onsky-observations-page>` (`#/observations?…`): observation search with filters (text,
 * target, proposal, schedule and capture block, time range, band, product, receptor, review
 * state), one observation's facts, anomalies, products and reviews, the review action, and the
 * data gaps: observations seen in logs but missing from the archive or missing products.
 */
import { Task } from '@lit/task';
import { html, nothing, type TemplateResult } from 'lit';
import { customElement, state } from 'lit/decorators.js';
import { request } from '../api/client.js';
import { enumText, type Connection } from '../api/connection.js';
import { OnskyPage, formatUtc } from '../app/page.js';
import { hrefFor, updateQuery } from '../app/routes.js';
import { roleAllows, showsPast } from '../app/session.js';
import type { Column } from '../widgets/data-table.js';
import '../widgets/data-table.js';
import { noObservations } from './empty.js';
import { pageStyles } from './page.styles.js';

interface ObservationRow {
  readonly observationId: string;
  readonly captureBlockId: string | null;
  readonly scheduleBlockId: string | null;
  readonly proposalId: string | null;
  readonly description: string | null;
  readonly startUtc: string | null;
  readonly endUtc: string | null;
  readonly band: string | null;
  readonly product: string | null;
  readonly reviewState: string;
  readonly anomalies: readonly { readonly kind: string }[];
}

interface ObservationDetail extends ObservationRow {
  readonly observer: string | null;
  readonly targets: readonly { readonly name: string; readonly tags: readonly string[] }[];
  readonly receptors: readonly string[];
  readonly anomalies: readonly { readonly kind: string; readonly detail: string; readonly notedAt: string }[];
  readonly products: readonly { readonly name: string; readonly archivedAt: string | null }[];
  readonly reviews: readonly { readonly level: string; readonly reviewer: string; readonly reviewedAt: string; readonly reason: string | null; readonly notes: string }[];
  readonly citedBy: readonly { readonly featureKey: string; readonly verificationId: string }[];
  readonly ticketKeys: readonly string[];
  readonly importers: readonly string[];
}

interface DataGap {
  readonly observationId: string;
  readonly startUtc: string | null;
  readonly kinds: readonly string[];
  readonly seenBy: readonly string[];
  readonly missingProducts: readonly string[];
}

/** Filters, by URL parameter name; the same names are the query's arguments. */
const FILTERS: readonly { readonly name: string; readonly label: string; readonly placeholder: string }[] = [
  { name: 'text', label: 'Text', placeholder: 'words in description, targets, ids' },
  { name: 'target', label: 'Target', placeholder: 'PKS 1934-63' },
  { name: 'proposalId', label: 'Proposal', placeholder: 'COMM-305' },
  { name: 'scheduleBlockId', label: 'Schedule block', placeholder: '20190308-0083' },
  { name: 'captureBlockId', label: 'Capture block', placeholder: '1551803062' },
  { name: 'band', label: 'Band', placeholder: 'L' },
  { name: 'product', label: 'Product', placeholder: 'c856M4k' },
  { name: 'receptor', label: 'Receptor', placeholder: 'm010' },
];

const REVIEW_STATES = ['NEVER_REVIEWED', 'AUTOMATED_QA', 'INSPECTED', 'IMAGED', 'DISCARDED'];
const REVIEW_LEVELS = ['AUTOMATED_QA', 'INSPECTED', 'IMAGED', 'DISCARDED'];
/** Rows fetched per search; a page of the table, and the "Show more" step. */
const SEARCH_PAGE = 100;

const ROW_FIELDS = /* GraphQL */ `
  observationId
  captureBlockId
  scheduleBlockId
  proposalId
  description
  startUtc
  endUtc
  band
  product
  reviewState
  anomalies {
    kind
  }
`;

const SEARCH_QUERY = /* GraphQL */ `
  query Observations(
    $asOf: String
    $now: String
    $first: Int
    $after: String
    $text: String
    $target: String
    $proposalId: String
    $scheduleBlockId: String
    $captureBlockId: String
    $from: String
    $to: String
    $band: String
    $product: String
    $receptor: String
    $reviewState: ReviewState
  ) {
    observations(
      asOf: $asOf
      now: $now
      first: $first
      after: $after
      text: $text
      target: $target
      proposalId: $proposalId
      scheduleBlockId: $scheduleBlockId
      captureBlockId: $captureBlockId
      from: $from
      to: $to
      band: $band
      product: $product
      receptor: $receptor
      reviewState: $reviewState
    ) {
      totalCount
      edges {
        node {
          ${ROW_FIELDS}
        }
      }
      pageInfo {
        hasNextPage
        endCursor
      }
    }
    dataGaps(asOf: $asOf, now: $now, from: $from, to: $to) {
      observationId
      startUtc
      kinds
      seenBy
      missingProducts
    }
  }
`;

const DETAIL_QUERY = /* GraphQL */ `
  query Observation($observationId: String!, $asOf: String, $now: String) {
    observation(observationId: $observationId, asOf: $asOf, now: $now) {
      ${ROW_FIELDS}
      observer
      targets {
        name
        tags
      }
      receptors
      anomalies {
        kind
        detail
        notedAt
      }
      products {
        name
        archivedAt
      }
      reviews {
        level
        reviewer
        reviewedAt
        reason
        notes
      }
      citedBy {
        featureKey
        verificationId
      }
      ticketKeys
      importers
    }
  }
`;

const REVIEW_MUTATION = /* GraphQL */ `
  mutation Review($input: ReviewObservationInput!) {
    reviewObservation(input: $input) {
      __typename
      ... on DomainError {
        message
      }
    }
  }
`;

interface SearchResult {
  readonly total: number;
  readonly rows: readonly ObservationRow[];
  readonly next: string | null;
  readonly gaps: readonly DataGap[];
}

/** Screens on which the observations table leaves out its proposal and product columns. */
const NARROW_SCREEN = '(max-width: 1199px)';

@customElement('onsky-observations-page')
export class OnskyObservationsPage extends OnskyPage {
  static override styles = pageStyles;

  @state() private pages = 1;
  /**
   * The outcome of the last review recorded, shown only with its own observation: another one
   * opened meanwhile must not show it.
   */
  @state() private reviewNote: { readonly observationId: string; readonly problem: string | null; readonly done: string | null } | null = null;
  /** Observations whose review is being recorded; a second press would record a second review. */
  @state() private reviewing: ReadonlySet<string> = new Set();

  private get filterValues(): Record<string, string | null> {
    const values: Record<string, string | null> = {};
    for (const name of [...FILTERS.map((filter) => filter.name), 'from', 'to', 'reviewState']) values[name] = this.route.query.get(name);
    return values;
  }

  private readonly search = new Task(this, {
    task: async ([asOf, now, , filterKey, pages], { signal }): Promise<SearchResult> => {
      const filters = JSON.parse(filterKey as string) as Record<string, string | null>;
      const variables: Record<string, unknown> = { asOf, now, ...filters };
      for (const name of ['from', 'to']) {
        const value = filters[name];
        if (value != null) variables[name] = value.length === 10 ? `${value}T00:00:00Z` : value;
      }
      const rows: ObservationRow[] = [];
      let after: string | null = null;
      let total = 0;
      let gaps: readonly DataGap[] = [];
      for (let page = 0; page < (pages as number); page++) {
        const data: { observations: Connection<ObservationRow> & { totalCount: number }; dataGaps: readonly DataGap[] } = await request(
          SEARCH_QUERY,
          { ...variables, first: SEARCH_PAGE, after },
          signal,
        );
        rows.push(...data.observations.edges.map((edge) => edge.node));
        total = data.observations.totalCount;
        gaps = data.dataGaps;
        after = data.observations.pageInfo.hasNextPage ? data.observations.pageInfo.endCursor : null;
        if (after === null) break;
      }
      return { total, rows, next: after, gaps };
    },
    args: () => [...this.clockArgs, JSON.stringify(this.filterValues), this.pages] as const,
  });

  private readonly detail = new Task(this, {
    task: async ([asOf, now, , observationId], { signal }) => {
      if (observationId === '') return null;
      const data = await request<{ observation: ObservationDetail | null }>(DETAIL_QUERY, { observationId, asOf, now }, signal);
      return data.observation;
    },
    args: () => [...this.clockArgs, this.route.query.get('observation') ?? ''] as const,
  });

  private readonly columns: readonly Column<ObservationRow>[] = [
    {
      label: 'Observation',
      width: 'minmax(130px, 1fr)',
      render: (row) => html`<a class="mono" href=${hrefFor('observations', [], { ...this.filterValues, observation: row.observationId })}>${row.observationId}</a>`,
      sortValue: (row) => row.observationId,
    },
    { label: 'Start', width: '170px', render: (row) => formatUtc(row.startUtc), sortValue: (row) => row.startUtc },
    { label: 'Proposal', width: '110px', render: (row) => row.proposalId ?? '—', sortValue: (row) => row.proposalId },
    { label: 'Description', width: 'minmax(160px, 3fr)', render: (row) => html`<span title=${row.description ?? ''}>${row.description ?? '—'}</span>` },
    { label: 'Band', width: '60px', render: (row) => row.band ?? '—', sortValue: (row) => row.band },
    { label: 'Product', width: '100px', render: (row) => row.product ?? '—', sortValue: (row) => row.product },
    { label: 'Review', width: '130px', render: (row) => html`<span class="badge">${enumText(row.reviewState)}</span>`, sortValue: (row) => row.reviewState },
    { label: 'Anomalies', width: '90px', numeric: true, render: (row) => (row.anomalies.length === 0 ? '—' : html`<span class="badge failed">${row.anomalies.length}</span>`), sortValue: (row) => row.anomalies.length },
  ];

  /**
   * Columns while an observation is open beside the table, which then has about two thirds of the
   * width: every column needs about 1 060 px, more than the table gets on a 1 400 px screen. The
   * open observation's panel shows the columns left out.
   */
  private readonly besideDetailColumns = this.columns.filter((column) => !['Proposal', 'Product', 'Anomalies'].includes(column.label));

  /**
   * Columns on a screen narrower than `NARROW_SCREEN`, where every column no longer fits and the
   * table scrolled sideways (1 058 px of columns in 948 px at 1 024 px). Opening an observation
   * shows its proposal and product.
   */
  private readonly narrowColumns = this.columns.filter((column) => !['Proposal', 'Product'].includes(column.label));

  private readonly narrowScreen = window.matchMedia(NARROW_SCREEN);
  @state() private narrow = this.narrowScreen.matches;
  private readonly onScreenChange = (change: MediaQueryListEvent): void => {
    this.narrow = change.matches;
  };

  private columnsShown(detailOpen: boolean): readonly Column<ObservationRow>[] {
    if (detailOpen) return this.besideDetailColumns;
    return this.narrow ? this.narrowColumns : this.columns;
  }

  override connectedCallback(): void {
    super.connectedCallback();
    this.narrowScreen.addEventListener('change', this.onScreenChange);
    this.narrow = this.narrowScreen.matches;
  }

  override disconnectedCallback(): void {
    this.narrowScreen.removeEventListener('change', this.onScreenChange);
    super.disconnectedCallback();
  }

  override render(): TemplateResult {
    return html`
      <h1>Observations</h1>
      <p class="lede">Search every observation merged from logs, the archive and dataset summaries. Filters are in the address, so a search can be linked in a ticket.</p>
      ${this.renderFilters()}
      ${this.renderTask(this.search, (result) => this.renderResults(result))}
    `;
  }

  private renderFilters(): TemplateResult {
    const values = this.filterValues;
    return html`<form class="card filters" role="search" aria-label="Observation filters" @submit=${this.applyFilters}>
      ${FILTERS.map((filter) => html`<label>${filter.label}<input name=${filter.name} .value=${values[filter.name] ?? ''} placeholder=${filter.placeholder} size="14" /></label>`)}
      <label>From (UTC)<input name="from" type="date" .value=${(values['from'] ?? '').slice(0, 10)} /></label>
      <label>To (UTC)<input name="to" type="date" .value=${(values['to'] ?? '').slice(0, 10)} /></label>
      <label>Review state
        <select name="reviewState">
          <option value="">Any</option>
          ${REVIEW_STATES.map((name) => html`<option value=${name} ?selected=${values['reviewState'] === name}>${enumText(name)}</option>`)}
        </select>
      </label>
      <button type="submit">Search</button>
      <button type="button" class="secondary" @click=${this.clearFilters}>Clear</button>
    </form>`;
  }

  private applyFilters(event: SubmitEvent): void {
    event.preventDefault();
    const form = new FormData(event.target as HTMLFormElement);
    const changes: Record<string, string | null> = { observation: null };
    for (const [name, value] of form.entries()) changes[name] = String(value).trim() || null;
    this.pages = 1;
    updateQuery(changes);
  }

  private clearFilters(): void {
    const changes: Record<string, string | null> = { observation: null };
    for (const name of Object.keys(this.filterValues)) changes[name] = null;
    this.pages = 1;
    updateQuery(changes);
  }

  private renderResults(result: SearchResult): TemplateResult {
    const filtered = Object.values(this.filterValues).some((value) => value !== null);
    const selected = this.route.query.get('observation');
    return html`
      <div class=${selected === null ? '' : 'two'}>
        <section class="card" aria-labelledby="results-heading">
          <h2 id="results-heading">${result.total.toLocaleString('en-GB')} observations${filtered ? ' match' : ''}</h2>
          <onsky-table
            label="Observations"
            noun=${`of ${result.total.toLocaleString('en-GB')} observations loaded`}
            .columns=${this.columnsShown(selected !== null)}
            .rows=${result.rows}
            .empty=${filtered ? 'No observation matches these filters. Loosen one, or press Clear.' : noObservations()}
          ></onsky-table>
          ${result.next === null ? nothing : html`<p><button class="secondary" @click=${() => (this.pages += 10)}>Load ${(SEARCH_PAGE * 10).toLocaleString('en-GB')} more</button></p>`}
        </section>
        ${selected === null ? nothing : this.renderTask(this.detail, (observation) => this.renderDetail(selected, observation))}
      </div>
      ${this.renderGaps(result.gaps)}
    `;
  }

  private renderDetail(id: string, observation: ObservationDetail | null): TemplateResult {
    if (observation === null) {
      return html`<section class="card"><p role="alert">No observation has the id "${id}". Search for it by capture or schedule block above.</p></section>`;
    }
    return html`<section class="card" aria-labelledby="detail-heading">
      <h2 id="detail-heading" class="mono">${observation.observationId}</h2>
      <p>${observation.description ?? ''}</p>
      <dl class="facts">
        <dt>Capture block</dt><dd class="mono">${observation.captureBlockId ?? '—'}</dd>
        <dt>Schedule block</dt><dd class="mono">${observation.scheduleBlockId ?? '—'}</dd>
        <dt>Proposal</dt><dd>${observation.proposalId ?? '—'}</dd>
        <dt>Observer</dt><dd>${observation.observer ?? '—'}</dd>
        <dt>Start – end</dt><dd>${formatUtc(observation.startUtc)} – ${formatUtc(observation.endUtc)}</dd>
        <dt>Band, product</dt><dd>${observation.band ?? '—'}, ${observation.product ?? '—'}</dd>
        <dt>Receptors</dt><dd>${observation.receptors.length}</dd>
        <dt>Targets</dt><dd>${observation.targets.map((target) => `${target.name}${target.tags.length === 0 ? '' : ` (${target.tags.join(', ')})`}`).join('; ') || '—'}</dd>
        <dt>Sources</dt><dd>${observation.importers.join(', ') || '—'}</dd>
        <dt>Cited by</dt><dd>${observation.citedBy.length === 0 ? '—' : observation.citedBy.map((citation) => html`<a href=${hrefFor('features', [citation.featureKey])}>${citation.featureKey}</a> `)}</dd>
        <dt>Tickets</dt><dd>${observation.ticketKeys.join(', ') || '—'}</dd>
      </dl>
      <h3>Anomalies</h3>
      ${observation.anomalies.length === 0
        ? html`<p class="muted">None noted.</p>`
        : html`<ul>${observation.anomalies.map((anomaly) => html`<li><span class="badge failed">${anomaly.kind}</span> ${anomaly.detail}</li>`)}</ul>`}
      <h3>Products</h3>
      ${observation.products.length === 0
        ? html`<p class="muted">Nothing archived yet.</p>`
        : html`<ul>${observation.products.map((product) => html`<li class="mono">${product.name} · ${formatUtc(product.archivedAt)}</li>`)}</ul>`}
      <h3>Reviews <span class="badge">${enumText(observation.reviewState)}</span></h3>
      ${observation.reviews.length === 0
        ? html`<p class="muted">Nobody has reviewed it yet.</p>`
        : html`<ul>${observation.reviews.map((review) => html`<li>${enumText(review.level)} by ${review.reviewer}, ${formatUtc(review.reviewedAt)}${review.reason === null ? '' : ` (${review.reason})`}${review.notes === '' ? '' : `: ${review.notes}`}</li>`)}</ul>`}
      ${this.renderReviewForm(observation.observationId)}
    </section>`;
  }

  private renderReviewForm(observationId: string): TemplateResult {
    if (!roleAllows(this.session.role, 'commissioner') || showsPast(this.session)) {
      return html`<p class="muted">Recording a review needs a commissioner token and the time control at Now.</p>`;
    }
    const busy = this.reviewing.has(observationId);
    const note = this.reviewNote?.observationId === observationId ? this.reviewNote : null;
    return html`<form class="filters" aria-label="Record a review" @submit=${(event: SubmitEvent) => void this.review(event, observationId)}>
      <label>Level
        <select name="level">${REVIEW_LEVELS.map((level) => html`<option value=${level}>${enumText(level)}</option>`)}</select>
      </label>
      <label>Notes<input name="notes" placeholder="what you checked" /></label>
      <label>Reason (for discarded)<input name="reason" placeholder="e.g. RFI throughout" /></label>
      <button type="submit" ?disabled=${busy}>${busy ? 'Recording…' : 'Record review'}</button>
      ${note?.problem == null ? nothing : html`<div class="error" role="alert">${note.problem}</div>`}
      ${note?.done == null ? nothing : html`<div role="status">${note.done}</div>`}
    </form>`;
  }

  private async review(event: SubmitEvent, observationId: string): Promise<void> {
    event.preventDefault();
    // A review without a time is dated by the server, so a repeated press is a second review.
    if (this.reviewing.has(observationId)) return;
    const form = new FormData(event.target as HTMLFormElement);
    const level = String(form.get('level'));
    const reason = String(form.get('reason') ?? '').trim();
    const note = (problem: string | null, done: string | null = null): void => {
      this.reviewNote = { observationId, problem, done };
    };
    note(null);
    if (level === 'DISCARDED' && reason === '') {
      note('Discarding data needs a reason: say why in the Reason field.');
      return;
    }
    this.reviewing = new Set([...this.reviewing, observationId]);
    try {
      const input = { observationId, level, notes: String(form.get('notes') ?? ''), ...(reason === '' ? {} : { reason }) };
      const data = await request<{ reviewObservation: { message?: string } }>(REVIEW_MUTATION, { input });
      if (data.reviewObservation.message !== undefined) {
        note(data.reviewObservation.message);
        return;
      }
      note(null, `Recorded the ${enumText(level)} review.`);
      void this.detail.run();
      void this.search.run();
    } catch (error) {
      note(error instanceof Error ? error.message : String(error));
    } finally {
      this.reviewing = new Set([...this.reviewing].filter((id) => id !== observationId));
    }
  }

  private renderGaps(gaps: readonly DataGap[]): TemplateResult {
    return html`<section class="card" aria-labelledby="gaps-heading">
      <h2 id="gaps-heading">Data gaps (${gaps.length})</h2>
      ${gaps.length === 0
        ? html`<p class="muted">No gaps: every observation seen in the logs is archived with its expected products.</p>`
        : html`<table class="plain">
            <thead><tr><th scope="col">Observation</th><th scope="col">Start</th><th scope="col">Gap</th><th scope="col">Seen by</th><th scope="col">Missing products</th></tr></thead>
            <tbody>
              ${gaps.slice(0, 200).map(
                (gap) => html`<tr>
                  <td><a class="mono" href=${hrefFor('observations', [], { observation: gap.observationId })}>${gap.observationId}</a></td>
                  <td>${formatUtc(gap.startUtc)}</td>
                  <td>${gap.kinds.join(', ')}</td>
                  <td>${gap.seenBy.join(', ')}</td>
                  <td class="mono">${gap.missingProducts.join(', ') || '—'}</td>
                </tr>`,
              )}
            </tbody>
          </table>
          ${gaps.length > 200 ? html`<p class="muted">The first 200 of ${gaps.length} are listed; narrow the time range to see the rest.</p>` : nothing}`}
    </section>`;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'onsky-observations-page': OnskyObservationsPage;
  }
}
