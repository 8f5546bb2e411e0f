/**
 * `<onsky-features-page>` (`#/features`): the feature board, every feature with status, WSJF,
 * delivery and verification dates and days waiting, filterable by subsystem and status.
 *
 * The board comes from the first push of the `boardChanged` subscription, which sends the whole
 * board at once, so 10k features arrive in one response instead of a page at a time. The stream
 * is closed after that push, because a browser's few connections per host are shared by its tabs.
 * The page reads the board again whenever the app sees the log move. A past board (`asOf`), or a
 * server whose subscription fails, uses the paged query.
 */
import { Task } from '@lit/task';
import { html, type TemplateResult } from 'lit';
import { customElement, state } from 'lit/decorators.js';
import { fetchBoardSnapshot, type BoardFeature } from '../api/board.js';
import { OnskyPage, formatDate, formatNumber } from '../app/page.js';
import { hrefFor, updateQuery } from '../app/routes.js';
import type { Column } from '../widgets/data-table.js';
import '../widgets/data-table.js';
import { noFeatures } from './empty.js';
import { pageStyles } from './page.styles.js';
import './feature-page.js';

export const BOARD_COLUMNS: readonly Column<BoardFeature>[] = [
  { label: 'Feature', width: 'minmax(140px, 1.2fr)', render: (row) => html`<a class="mono" href=${hrefFor('features', [row.featureKey])}>${row.featureKey}</a>`, sortValue: (row) => row.featureKey },
  { label: 'Title', width: 'minmax(180px, 3fr)', render: (row) => html`<span title=${row.title}>${row.title}</span>`, sortValue: (row) => row.title },
  { label: 'Subsystem', width: '110px', render: (row) => row.subsystem, sortValue: (row) => row.subsystem },
  { label: 'Status', width: '110px', render: (row) => html`<span class=${`badge ${row.status}`}>${row.status}</span>`, sortValue: (row) => row.status },
  { label: 'Verification WSJF', width: '140px', numeric: true, render: (row) => formatNumber(row.verificationWsjf, 2), sortValue: (row) => row.verificationWsjf },
  { label: 'Delivered', width: '110px', render: (row) => formatDate(row.deliveredAt), sortValue: (row) => row.deliveredAt },
  { label: 'Verified', width: '110px', render: (row) => formatDate(row.verifiedAt), sortValue: (row) => row.verifiedAt },
  { label: 'Days waiting', width: '110px', numeric: true, render: (row) => formatNumber(row.daysWaiting, 0), sortValue: (row) => row.daysWaiting },
];

const STATUSES = ['proposed', 'delivered', 'verified', 'failed', 'suspect', 'withdrawn'];

@customElement('onsky-features-page')
export class OnskyFeaturesPage extends OnskyPage {
  static override styles = pageStyles;

  private readonly board = new Task(this, {
    task: async ([asOf, now], { signal }) => fetchBoardSnapshot({ asOf, now }, signal),
    args: () => this.clockArgs,
  });

  override render(): TemplateResult {
    return html`
      <div class="page-head">
        <div>
          <h1>Features</h1>
          <p class="lede">Every feature engineering delivers, with its verification status. Sort by any column; open a feature for its history.</p>
        </div>
      </div>
      ${this.renderTask(this.board, (features) => this.renderBoard(features))}
    `;
  }

  private renderBoard(features: readonly BoardFeature[]): TemplateResult {
    const subsystem = this.route.query.get('subsystem') ?? '';
    const status = this.route.query.get('status') ?? '';
    const subsystems = [...new Set(features.map((feature) => feature.subsystem))].sort();
    const shown = features.filter((feature) => (subsystem === '' || feature.subsystem === subsystem) && (status === '' || feature.status === status));
    const counts = STATUSES.map((name) => ({ name, count: features.filter((feature) => feature.status === name).length })).filter((entry) => entry.count > 0);
    return html`
      <div class="card">
        <div class="filters">
          <label>Subsystem
            <select @change=${(event: Event) => updateQuery({ subsystem: (event.target as HTMLSelectElement).value })}>
              <option value="">All</option>
              ${subsystems.map((name) => html`<option value=${name} ?selected=${name === subsystem}>${name}</option>`)}
            </select>
          </label>
          <label>Status
            <select @change=${(event: Event) => updateQuery({ status: (event.target as HTMLSelectElement).value })}>
              <option value="">All</option>
              ${STATUSES.map((name) => html`<option value=${name} ?selected=${name === status}>${name}</option>`)}
            </select>
          </label>
          <div class="chips" aria-label="Features by status">${counts.map((entry) => html`<span class=${`badge ${entry.name}`}>${entry.count} ${entry.name}</span>`)}</div>
        </div>
        <onsky-table label="Feature board" noun="features" .columns=${BOARD_COLUMNS} .rows=${shown} .empty=${features.length === 0 ? noFeatures() : 'No feature matches these filters. Choose "All" to see every feature.'}></onsky-table>
      </div>
    `;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'onsky-features-page': OnskyFeaturesPage;
  }
}
