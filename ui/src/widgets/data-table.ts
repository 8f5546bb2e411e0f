/**
 * `<onsky-table>`: a table that stays fast with 100k rows. Only the rows in view are in the DOM
 * (@lit-labs/virtualizer); ARIA table roles with `aria-rowcount` and `aria-rowindex` tell
 * assistive technology the full size. The body scrolls with the keyboard once focused, and column
 * headers with a sort key sort on click, Enter or Space.
 */
import '@lit-labs/virtualizer';
import { html, LitElement, nothing, type TemplateResult } from 'lit';
import { customElement, property, state } from 'lit/decorators.js';
import { styleMap } from 'lit/directives/style-map.js';
import { dataTableStyles } from './data-table.styles.js';

export interface Column<Row> {
  readonly label: string;
  /** A CSS grid track: `2fr`, `120px`, `minmax(80px, 1fr)`; default `1fr`. */
  readonly width?: string;
  readonly numeric?: boolean;
  readonly render: (row: Row) => unknown;
  /** Makes the column sortable by this value. */
  readonly sortValue?: (row: Row) => string | number | null;
}

/**
 * Row height in px that sizes the scroller: the rows' 36 px minimum, which includes their 1 px
 * border because the virtualizer gives each row `box-sizing: border-box`.
 */
const ROW_HEIGHT = 36;

@customElement('onsky-table')
export class OnskyTable<Row = unknown> extends LitElement {
  static override styles = dataTableStyles;

  @property({ attribute: false }) columns: readonly Column<Row>[] = [];
  @property({ attribute: false }) rows: readonly Row[] = [];
  /** Accessible name of the table. */
  @property() label = '';
  /** Maximum body height in px; the body scrolls beyond it. */
  @property({ type: Number, attribute: 'max-height' }) maxHeight = 520;
  /** Content shown when there are no rows, with the next step. */
  @property({ attribute: false }) empty: TemplateResult | string = 'Nothing to show.';
  /** Text after the row count in the footer, e.g. "features". */
  @property() noun = 'rows';

  @state() private sortColumn: number | null = null;
  @state() private sortDescending = false;

  private sortedCache: { rows: readonly Row[]; column: number | null; descending: boolean; result: readonly Row[] } | null = null;

  private get sortedRows(): readonly Row[] {
    const cache = this.sortedCache;
    if (cache !== null && cache.rows === this.rows && cache.column === this.sortColumn && cache.descending === this.sortDescending) {
      return cache.result;
    }
    const column = this.sortColumn === null ? undefined : this.columns[this.sortColumn];
    let result = this.rows;
    if (column?.sortValue !== undefined) {
      const value = column.sortValue;
      const direction = this.sortDescending ? -1 : 1;
      result = [...this.rows].sort((a, b) => compareValues(value(a), value(b), direction));
    }
    this.sortedCache = { rows: this.rows, column: this.sortColumn, descending: this.sortDescending, result };
    return result;
  }

  protected override willUpdate(): void {
    this.style.setProperty('--onsky-columns', this.columns.map((column) => column.width ?? '1fr').join(' '));
    // Below the columns' minimum widths the table scrolls sideways instead of squeezing cells.
    const minimum = this.columns.reduce((sum, column) => sum + (Number(/(\d+)px/.exec(column.width ?? '')?.[1]) || 60), 0);
    this.style.setProperty('--onsky-min-width', `${minimum + 12 * (this.columns.length - 1) + 24}px`);
  }

  override render(): TemplateResult {
    const rows = this.sortedRows;
    // Bound with styleMap so only the height changes: the virtualizer sets display, position,
    // contain and overflow inline on its element, and rewriting the whole style attribute when
    // the row count changes would erase them and leave the table without rows.
    const height = Math.min(this.maxHeight, Math.max(1, rows.length) * ROW_HEIGHT);
    return html`
      <div class="scroll">
      <div role="table" aria-label=${this.label} aria-rowcount=${rows.length + 1}>
        <div role="rowgroup" class="head">
          <div role="row" class="row" aria-rowindex="1">${this.columns.map((column, index) => this.renderHeader(column, index))}</div>
        </div>
        ${rows.length === 0
          ? html`<div role="rowgroup"><div role="row" class="empty"><div role="cell">${this.empty}</div></div></div>`
          : html`<lit-virtualizer
              class="body"
              role="rowgroup"
              scroller
              tabindex="0"
              aria-label=${`${this.label} rows`}
              style=${styleMap({ height: `${height}px` })}
              .items=${rows}
              .renderItem=${(row: Row, index: number) => this.renderRow(row, index)}
            ></lit-virtualizer>`}
      </div>
      </div>
      <div class="footer" aria-live="polite">${rows.length.toLocaleString('en-GB')} ${this.noun}</div>
    `;
  }

  private renderHeader(column: Column<Row>, index: number): TemplateResult {
    const sorted = this.sortColumn === index;
    const direction = this.sortDescending ? 'descending' : 'ascending';
    const ariaSort = sorted ? direction : 'none';
    const arrow = this.sortDescending ? ' ▼' : ' ▲';
    const classes = column.numeric === true ? 'numeric' : '';
    if (column.sortValue === undefined) {
      return html`<div role="columnheader" class=${classes}>${column.label}</div>`;
    }
    return html`<div role="columnheader" class=${classes} aria-sort=${ariaSort}>
      <button class="sort" @click=${() => this.toggleSort(index)}>${column.label}${sorted ? arrow : nothing}</button>
    </div>`;
  }

  private renderRow(row: Row, index: number): TemplateResult {
    return html`<div role="row" class="row" aria-rowindex=${index + 2}>
      ${this.columns.map((column) => html`<div role="cell" class=${column.numeric === true ? 'numeric' : ''}>${column.render(row)}</div>`)}
    </div>`;
  }

  private toggleSort(index: number): void {
    if (this.sortColumn === index) {
      this.sortDescending = !this.sortDescending;
    } else {
      this.sortColumn = index;
      this.sortDescending = false;
    }
  }
}

/** Compares in `direction` (1 ascending, -1 descending); missing values go last either way. */
function compareValues(a: string | number | null, b: string | number | null, direction: number): number {
  if (a === b) return 0;
  if (a === null) return 1;
  if (b === null) return -1;
  if (typeof a === 'number' && typeof b === 'number') return direction * (a - b);
  return direction * String(a).localeCompare(String(b), 'en', { numeric: true });
}

declare global {
  interface HTMLElementTagNameMap {
    'onsky-table': OnskyTable;
  }
}
