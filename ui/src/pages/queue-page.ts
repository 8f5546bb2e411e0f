/**
 * `<onsky-queue-page>` (`#/queue`, `#/queue?feature=KEY`): the verification queue ranked by
 * verification WSJF (ties: longest waiting first), with candidate evidence per feature. Picking
 * a feature opens its candidates and, for a commissioner, the form that records a verification.
 */
import { Task } from '@lit/task';
import { html, nothing, type TemplateResult } from 'lit';
import { customElement, state } from 'lit/decorators.js';
import { request } from '../api/client.js';
import { enumText } from '../api/connection.js';
import { OnskyPage, formatDate, formatNumber, formatUtc } from '../app/page.js';
import { hrefFor } from '../app/routes.js';
import { roleAllows, showsPast } from '../app/session.js';
import type { Column } from '../widgets/data-table.js';
import '../widgets/data-table.js';
import { nothingDelivered } from './empty.js';
import { pageStyles } from './page.styles.js';
import type { CandidateObservation } from './verify-form.js';
import './verify-form.js';

export interface QueueEntry {
  readonly rank: number;
  readonly featureKey: string;
  readonly title: string;
  readonly subsystem: string;
  readonly status: string;
  readonly verificationWsjf: number;
  readonly waitingSinceUtc: string;
  readonly daysWaiting: number;
  readonly evidenceNotBeforeUtc: string | null;
  readonly candidates: readonly CandidateObservation[];
  readonly moreCandidates: boolean;
}

export const QUEUE_QUERY = /* GraphQL */ `
  query Queue($asOf: String, $now: String) {
    verificationQueue(asOf: $asOf, now: $now) {
      featureKey
      title
      subsystem
      status
      verificationWsjf
      waitingSinceUtc
      daysWaiting
      evidenceNotBeforeUtc
      candidates {
        observationId
        startUtc
        band
        product
        onTargetSeconds
      }
      moreCandidates
    }
  }
`;

export async function fetchQueue(asOf: string | null, now: string | null, signal?: AbortSignal): Promise<QueueEntry[]> {
  const data = await request<{ verificationQueue: readonly Omit<QueueEntry, 'rank'>[] }>(QUEUE_QUERY, { asOf, now }, signal);
  return data.verificationQueue.map((entry, index) => ({ ...entry, rank: index + 1, status: enumText(entry.status) }));
}

@customElement('onsky-queue-page')
export class OnskyQueuePage extends OnskyPage {
  static override styles = pageStyles;

  private readonly queue = new Task(this, {
    task: ([asOf, now], { signal }) => fetchQueue(asOf, now, signal),
    args: () => this.clockArgs,
  });

  private readonly columns: readonly Column<QueueEntry>[] = [
    { label: 'Rank', width: '60px', numeric: true, render: (row) => row.rank, sortValue: (row) => row.rank },
    {
      label: 'Feature',
      width: 'minmax(140px, 1.2fr)',
      render: (row) => html`<a class="mono" href=${hrefFor('queue', [], { feature: row.featureKey })} aria-current=${this.selectedKey === row.featureKey ? 'true' : nothing}>${row.featureKey}</a>`,
      sortValue: (row) => row.featureKey,
    },
    { label: 'Title', width: 'minmax(160px, 3fr)', render: (row) => html`<span title=${row.title}>${row.title}</span>` },
    { label: 'Subsystem', width: '100px', render: (row) => row.subsystem, sortValue: (row) => row.subsystem },
    { label: 'Status', width: '100px', render: (row) => html`<span class=${`badge ${row.status}`}>${row.status}</span>` },
    { label: 'WSJF', width: '70px', numeric: true, render: (row) => formatNumber(row.verificationWsjf, 2), sortValue: (row) => row.verificationWsjf },
    { label: 'Waiting (days)', width: '110px', numeric: true, render: (row) => formatNumber(row.daysWaiting, 0), sortValue: (row) => row.daysWaiting },
    { label: 'Candidates', width: '100px', numeric: true, render: (row) => `${row.candidates.length}${row.moreCandidates ? '+' : ''}`, sortValue: (row) => row.candidates.length },
  ];

  /**
   * Confirmation of the last verification recorded here. It lives on the page, not in the form,
   * because a passed feature leaves the queue and its form with it when the queue refreshes.
   */
  @state() private recorded: string | null = null;

  private get selectedKey(): string | null {
    return this.route.query.get('feature');
  }

  override render(): TemplateResult {
    return html`
      <div class="page-head">
        <div>
          <h1>Verification queue</h1>
          <p class="lede">Delivered and suspect features, highest verification WSJF (cost of delay ÷ verification effort) first; ties go to the longest waiting.</p>
        </div>
      </div>
      ${this.recorded === null ? nothing : html`<p class="card" role="status">${this.recorded}</p>`}
      ${this.renderTask(this.queue, (entries) => this.renderQueue(entries))}
    `;
  }

  private onRecorded(event: CustomEvent<{ message: string }>): void {
    this.recorded = event.detail.message;
    void this.queue.run();
  }

  private renderQueue(entries: readonly QueueEntry[]): TemplateResult {
    const selected = entries.find((entry) => entry.featureKey === this.selectedKey);
    return html`
      ${this.selectedKey !== null && selected === undefined
        ? html`<p class="error" role="alert">${this.selectedKey} is not in the queue: it is verified, withdrawn or not delivered yet. Its page shows why: <a href=${hrefFor('features', [this.selectedKey])}>${this.selectedKey}</a>.</p>`
        : nothing}
      ${selected === undefined ? nothing : this.renderSelected(selected)}
      <div class="card">
          <onsky-table
            label="Verification queue"
            noun="features awaiting verification"
            .columns=${this.columns}
            .rows=${entries}
            .empty=${html`Nothing awaits verification. ${nothingDelivered()}`}
          ></onsky-table>
      </div>
    `;
  }

  private renderSelected(entry: QueueEntry): TemplateResult {
    const mayVerify = roleAllows(this.session.role, 'commissioner') && !showsPast(this.session);
    return html`<section class="card" aria-labelledby="selected-heading">
      <h2 id="selected-heading"><span class="mono">${entry.featureKey}</span> ${entry.title}</h2>
      <p class="muted">
        #${entry.rank} · ${entry.subsystem} · <span class=${`badge ${entry.status}`}>${entry.status}</span> · waiting since ${formatDate(entry.waitingSinceUtc)}
        · <a href=${hrefFor('features', [entry.featureKey])}>feature page</a>
      </p>
      <p>Evidence must start at or after <strong>${formatUtc(entry.evidenceNotBeforeUtc)}</strong>.</p>
      <h3>Candidate evidence</h3>
      ${entry.candidates.length === 0
        ? html`<p class="muted">No archived observation meets the criteria yet. Schedule one that meets the criteria shown on the feature page.</p>`
        : html`<ul>
            ${entry.candidates.map((candidate) => html`<li><span class="mono">${candidate.observationId}</span> · ${formatUtc(candidate.startUtc)} · ${candidate.band ?? '?'} · ${candidate.product ?? '?'}</li>`)}
          </ul>
          ${entry.moreCandidates ? html`<p class="muted">More observations qualify; the newest are listed.</p>` : nothing}`}
      ${mayVerify
        ? html`<h3>Record a verification</h3>
            <onsky-verify-form .featureKey=${entry.featureKey} .candidates=${entry.candidates} @verification-recorded=${(event: CustomEvent<{ message: string }>) => this.onRecorded(event)}></onsky-verify-form>`
        : html`<p class="muted">${showsPast(this.session)
            ? 'Press Now in the time control to record a verification.'
            : 'Recording a verification needs a commissioner token. Set one under "Token" in the header.'}</p>`}
    </section>`;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'onsky-queue-page': OnskyQueuePage;
  }
}
