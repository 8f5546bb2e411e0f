/**
 * `<onsky-time-chart>`: a time series (lines, steps, grouped or stacked bars) drawn with uPlot on a
 * canvas. uPlot loads on first use, so pages without charts do not pay for it. The canvas is
 * described by its caption and an accessible summary, and the numbers are one click away in a
 * data table under it.
 */
import { html, LitElement, nothing, unsafeCSS, type PropertyValues, type TemplateResult } from 'lit';
import { customElement, property, query } from 'lit/decorators.js';
import type uPlot from 'uplot';
import { thinLabels } from './axis-labels.js';
import { timeChartStyles } from './time-chart.styles.js';

export type ChartKind = 'lines' | 'steps' | 'bars' | 'stacked-bars';

export interface ChartSeries {
  readonly label: string;
  readonly values: readonly (number | null)[];
  /** Name of the CSS custom property with the series colour; default one of `--onsky-series-1` to `-5` by position. */
  readonly colour?: string;
}

/** Pixels per bar below which stacked bars fill more of their slot and lose their white edges. */
const NARROW_BAR_SLOT_PX = 14;

const SERIES_COLOURS = ['--onsky-series-1', '--onsky-series-2', '--onsky-series-3', '--onsky-series-4', '--onsky-series-5'];

@customElement('onsky-time-chart')
export class OnskyTimeChart extends LitElement {
  static override styles = timeChartStyles;

  /** Chart title, shown and used as the accessible name. */
  @property() caption = '';
  @property() kind: ChartKind = 'lines';
  /** Unit of the values, for the axis and the summary, e.g. "features" or "hours". */
  @property() unit = '';
  /** X values in Unix seconds (UTC). */
  @property({ attribute: false }) x: readonly number[] = [];
  @property({ attribute: false }) series: readonly ChartSeries[] = [];
  /** Label of an x value in the data table and bar ticks; default the UTC date. */
  @property({ attribute: false }) formatX: (seconds: number) => string = (seconds) => new Date(seconds * 1000).toISOString().slice(0, 10);
  /** Message shown when there is no data, with the next step. */
  @property() empty = 'No data yet.';

  @query('.plot') private plotElement!: HTMLDivElement;

  private plot: uPlot | null = null;
  private resizeObserver: ResizeObserver | null = null;
  private drawCount = 0;

  override render(): TemplateResult {
    const hasData = this.x.length > 0 && this.series.length > 0;
    return html`<figure>
      <figcaption id="caption">${this.caption}</figcaption>
      ${hasData
        ? html`<div class="plot" role="img" aria-labelledby="caption" aria-describedby="summary"></div>
            <p id="summary" hidden>${this.summary()}</p>
            <ul class="legend">
              ${this.series.map((series, index) => html`<li><span class="swatch" style=${`background:var(${colourProperty(series, index)})`}></span>${series.label}</li>`)}
            </ul>
            <details>
              <summary>Show the numbers</summary>
              ${this.renderTable()}
            </details>`
        : html`<p class="empty">${this.empty}</p>`}
    </figure>`;
  }

  private summary(): string {
    if (this.kind === 'stacked-bars') return this.stackedSummary();
    const parts = this.series.map((series) => {
      const last = [...series.values].reverse().find((value) => value !== null);
      return `${series.label}: latest ${last === undefined || last === null ? 'none' : last.toLocaleString('en-GB', { maximumFractionDigits: 2 })} ${this.unit}`.trim();
    });
    return `${this.x.length} points from ${this.formatX(this.x[0] ?? 0)} to ${this.formatX(this.x.at(-1) ?? 0)}. ${parts.join('; ')}.`;
  }

  /** Lists every bar's parts, because a stack's segments cannot be read off the canvas. */
  private stackedSummary(): string {
    const bars = this.x.map((x, row) => {
      const parts = this.series.map((series) => `${series.label} ${formatNumberText(series.values[row])}`);
      return `${this.formatX(x)}: ${formatNumberText(rowTotal(this.series, row))} ${this.unit} in total (${parts.join(', ')})`;
    });
    return `${this.x.length} ${this.x.length === 1 ? 'bar' : 'bars'}. ${bars.join('; ')}.`;
  }

  private renderTable(): TemplateResult {
    const stacked = this.kind === 'stacked-bars';
    return html`<table>
      <caption class="visually-hidden">${this.caption}${this.unit === '' ? '' : ` (${this.unit})`}</caption>
      <thead>
        <tr>
          <th scope="col">When</th>
          ${this.series.map((series) => html`<th scope="col">${series.label}</th>`)}
          ${stacked ? html`<th scope="col">Total</th>` : nothing}
        </tr>
      </thead>
      <tbody>
        ${this.x.map(
          (x, row) => html`<tr>
            <th scope="row">${this.formatX(x)}</th>
            ${this.series.map((series) => html`<td>${formatValue(series.values[row])}</td>`)}
            ${stacked ? html`<td>${formatValue(rowTotal(this.series, row))}</td>` : nothing}
          </tr>`,
        )}
      </tbody>
    </table>`;
  }

  protected override updated(changed: PropertyValues<this>): void {
    if (changed.has('x') || changed.has('series') || changed.has('kind')) {
      void this.draw();
    }
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    this.resizeObserver?.disconnect();
    this.plot?.destroy();
    this.plot = null;
  }

  private async draw(): Promise<void> {
    // A newer draw may start while uPlot loads; only the latest one may create the plot.
    const drawNumber = ++this.drawCount;
    this.plot?.destroy();
    this.plot = null;
    if (this.x.length === 0 || this.series.length === 0) return;

    const { default: UPlot, css } = await loadUPlot();
    this.adoptUPlotStyles(css);
    const target = this.plotElement;
    if (target === null || !this.isConnected || drawNumber !== this.drawCount) return;

    const width = Math.max(280, target.clientWidth || this.clientWidth || 480);
    const options = this.options(UPlot, width);
    const data = [this.x, ...this.plottedValues()] as uPlot.AlignedData;
    this.plot = new UPlot(options, data, target);

    this.resizeObserver ??= new ResizeObserver(() => {
      const next = Math.max(280, this.plotElement?.clientWidth ?? 0);
      if (this.plot !== null && Math.abs(next - this.plot.width) > 4) this.plot.setSize({ width: next, height: 220 });
    });
    this.resizeObserver.observe(target);
  }

  private options(UPlot: typeof uPlot, width: number): uPlot.Options {
    const style = getComputedStyle(this);
    const colour = (index: number): string => style.getPropertyValue(colourProperty(this.series[index], index)).trim() || '#1f5fbf';
    const ink = style.getPropertyValue('--onsky-ink-muted').trim() || '#4a5668';
    const grid = { stroke: '#e3e7ee', width: 1 };
    const count = this.series.length;

    if (this.kind === 'stacked-bars') {
      // Drawn from the top of the stack down, each bar to its running total, so the lower
      // segments paint over the taller bars behind them. A white edge separates the segments,
      // except on narrow bars: ten years of months left 2 px of colour between the edges.
      const surface = style.getPropertyValue('--onsky-surface').trim() || '#ffffff';
      const narrow = width / Math.max(1, this.x.length) < NARROW_BAR_SLOT_PX;
      const stacked = [...this.series.keys()].reverse().map((index): uPlot.Series => ({
        label: this.series[index]!.label,
        stroke: surface,
        fill: colour(index),
        width: narrow ? 0 : 1,
        paths: UPlot.paths.bars!({ size: [narrow ? 0.85 : 0.6, 64], align: 0 }),
        points: { show: false },
      }));
      return this.baseOptions(width, ink, grid, stacked);
    }

    const seriesOptions: uPlot.Series[] = this.series.map((series, index) => {
      const stroke = colour(index);
      if (this.kind === 'bars') {
        // Grouped bars: one series centred, or the first left of the slot's middle and the rest right.
        let align: -1 | 0 | 1 = index === 0 ? -1 : 1;
        if (count === 1) align = 0;
        return { label: series.label, stroke, fill: stroke, width: 0, paths: UPlot.paths.bars!({ size: [count === 1 ? 0.6 : 0.35, 48], align }), points: { show: false } };
      }
      const paths = this.kind === 'steps' ? UPlot.paths.stepped!({ align: 1 }) : undefined;
      return { label: series.label, stroke, width: 2, ...(paths === undefined ? {} : { paths }), points: { show: false } };
    });

    return this.baseOptions(width, ink, grid, seriesOptions);
  }

  /** Values as drawn: as given, or for stacked bars each series' running total, top of the stack first. */
  private plottedValues(): (number | null)[][] {
    if (this.kind !== 'stacked-bars') return this.series.map((series) => [...series.values]);
    const running = this.x.map(() => 0);
    const totals = this.series.map((series) => series.values.map((value, row) => (running[row]! += value ?? 0)));
    return totals.reverse();
  }

  private baseOptions(width: number, ink: string, grid: { stroke: string; width: number }, series: uPlot.Series[]): uPlot.Options {
    const bars = this.kind === 'bars' || this.kind === 'stacked-bars';
    return {
      width,
      height: 220,
      legend: { show: false },
      cursor: { drag: { x: false, y: false } },
      scales: { x: { time: true, ...(bars ? { range: () => this.barRange() } : {}) }, y: { range: (_plot, min, max) => [Math.min(0, min), max <= 0 ? 1 : max * 1.1] } },
      axes: [
        // Bars get one tick per bar, labelled like the data table; lines keep uPlot's time ticks.
        bars
          ? { stroke: ink, grid, ticks: grid, splits: () => [...this.x], values: (plot: uPlot, splits: number[]) => this.barLabels(plot, splits) }
          : { stroke: ink, grid, ticks: grid },
        { stroke: ink, grid, ticks: grid, label: this.unit, size: 56 },
      ],
      series: [{}, ...series],
    };
  }

  /** Labels the bars, leaving out labels that would overlap their neighbours. */
  private barLabels(plot: uPlot, splits: readonly number[]): string[] {
    // bbox is in canvas pixels, which uPlot scales by the device pixel ratio.
    return thinLabels(splits.map((split) => this.formatX(split)), plot.bbox.width / window.devicePixelRatio);
  }

  /** Pads the x range by half a slot each side, so one bar (one month) does not fill the axis. */
  private barRange(): [number, number] {
    const first = this.x[0] ?? 0;
    const last = this.x.at(-1) ?? first;
    let slot = Number.POSITIVE_INFINITY;
    for (let index = 1; index < this.x.length; index++) slot = Math.min(slot, this.x[index]! - this.x[index - 1]!);
    // One bar: take a month (30 days, in seconds) as its slot.
    if (!Number.isFinite(slot) || slot <= 0) slot = 30 * 86_400;
    return [first - slot / 2, last + slot / 2];
  }

  private adoptUPlotStyles(text: string): void {
    const root = this.shadowRoot;
    if (root === null || root.querySelector('style[data-uplot]') !== null) return;
    const element = document.createElement('style');
    element.dataset['uplot'] = '';
    element.textContent = unsafeCSS(text).cssText;
    root.append(element);
  }
}

let uPlotModule: Promise<{ default: typeof uPlot; css: string }> | null = null;

function loadUPlot(): Promise<{ default: typeof uPlot; css: string }> {
  uPlotModule ??= Promise.all([import('uplot'), import('uplot/dist/uPlot.min.css?inline')]).then(([library, styles]) => ({
    default: library.default,
    css: styles.default,
  }));
  return uPlotModule;
}

function colourProperty(series: ChartSeries | undefined, index: number): string {
  return series?.colour ?? SERIES_COLOURS[index % SERIES_COLOURS.length]!;
}

/** Sum of one row over every series; a missing value counts as 0. */
function rowTotal(series: readonly ChartSeries[], row: number): number {
  return series.reduce((sum, one) => sum + (one.values[row] ?? 0), 0);
}

function formatValue(value: number | null | undefined): string | typeof nothing {
  return formatNumberText(value);
}

function formatNumberText(value: number | null | undefined): string {
  if (value === null || value === undefined) return '—';
  return value.toLocaleString('en-GB', { maximumFractionDigits: 2 });
}

declare global {
  interface HTMLElementTagNameMap {
    'onsky-time-chart': OnskyTimeChart;
  }
}
