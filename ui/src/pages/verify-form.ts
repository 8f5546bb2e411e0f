/**
 * `<onsky-verify-form>`: records a verification of one queued feature. The commissioner picks
 * observations (the queue's candidates, or any id typed in); the form requests from the API whether each
 * qualifies and lists the unmet criteria before anything is submitted. A rejected mutation shows
 * the server's message. Fires `verification-recorded` on success.
 */
import { html, LitElement, nothing, type TemplateResult } from 'lit';
import { customElement, property, state } from 'lit/decorators.js';
import { request } from '../api/client.js';
import { formatUtc } from '../app/page.js';
import { verifyFormStyles } from './verify-form.styles.js';

export interface CandidateObservation {
  readonly observationId: string;
  readonly startUtc: string | null;
  readonly band: string | null;
  readonly product: string | null;
  readonly onTargetSeconds: number;
}

interface EvidenceCheck {
  readonly observationId: string;
  readonly qualifies: boolean;
  readonly archived: boolean;
  readonly evidenceNotBeforeUtc: string | null;
  readonly unmet: readonly { readonly criterion: string; readonly message: string }[];
}

type Outcome = 'PASSED' | 'FAILED' | 'INCONCLUSIVE';

/** Builds one query that checks every picked observation, through aliases `c0`, `c1`, … */
function checkQuery(count: number): string {
  const variables = Array.from({ length: count }, (_, index) => `$o${index}: String!`).join(', ');
  const fields = Array.from(
    { length: count },
    (_, index) => `c${index}: evidenceCheck(observationId: $o${index}) { observationId qualifies archived evidenceNotBeforeUtc unmet { criterion message } }`,
  ).join('\n');
  return `query CheckEvidence($featureKey: String!, ${variables}) { feature(featureKey: $featureKey) { ${fields} } }`;
}

export const RECORD_VERIFICATION = /* GraphQL */ `
  mutation RecordVerification($input: RecordVerificationInput!) {
    recordVerification(input: $input) {
      __typename
      ... on DomainError {
        message
      }
    }
  }
`;

@customElement('onsky-verify-form')
export class OnskyVerifyForm extends LitElement {
  static override styles = verifyFormStyles;

  @property() featureKey = '';
  @property({ attribute: false }) candidates: readonly CandidateObservation[] = [];

  @state() private picked = new Set<string>();
  @state() private typed = '';
  @state() private outcome: Outcome = 'PASSED';
  @state() private notes = '';
  @state() private checks = new Map<string, EvidenceCheck | null>();
  @state() private checking = false;
  @state() private submitting = false;
  @state() private problem: string | null = null;
  @state() private done: string | null = null;

  private get observationIds(): string[] {
    const typed = this.typed
      .split(/[\s,;]+/)
      .map((id) => id.trim())
      .filter((id) => id !== '');
    return [...new Set([...this.picked, ...typed])];
  }

  override render(): TemplateResult {
    const ids = this.observationIds;
    const unchecked = ids.some((id) => !this.checks.has(id));
    const failing = ids.filter((id) => this.checks.get(id)?.qualifies !== true);
    const blocked = this.outcome === 'PASSED' && (ids.length === 0 || failing.length > 0);
    return html`<form @submit=${this.submit} aria-label=${`Record a verification of ${this.featureKey}`}>
      <fieldset>
        <legend>Evidence observations</legend>
        ${this.candidates.length === 0
          ? html`<p class="muted">No archived observation meets the criteria yet. Type an observation id below to see what it lacks.</p>`
          : this.candidates.map((candidate) => this.renderCandidate(candidate))}
        <label>Other observation ids (capture block or sb- id, separated by commas)
          <input .value=${this.typed} @input=${(event: Event) => this.setTyped((event.target as HTMLInputElement).value)} placeholder="1551803062, sb-20190308-0083" />
        </label>
        ${ids.filter((id) => !this.picked.has(id)).map((id) => this.renderCheck(id))}
      </fieldset>
      <div class="row">
        <label>Outcome
          <select @change=${(event: Event) => (this.outcome = (event.target as HTMLSelectElement).value as Outcome)}>
            <option value="PASSED" ?selected=${this.outcome === 'PASSED'}>passed</option>
            <option value="FAILED" ?selected=${this.outcome === 'FAILED'}>failed</option>
            <option value="INCONCLUSIVE" ?selected=${this.outcome === 'INCONCLUSIVE'}>inconclusive</option>
          </select>
        </label>
        <label>Notes
          <input .value=${this.notes} @input=${(event: Event) => (this.notes = (event.target as HTMLInputElement).value)} placeholder="what you looked at, and what you saw" />
        </label>
      </div>
      <div class="row">
        <button type="button" class="secondary" ?disabled=${ids.length === 0 || this.checking} @click=${() => void this.check()}>${this.checking ? 'Checking…' : 'Check evidence'}</button>
        <button type="submit" ?disabled=${this.submitting || unchecked || blocked}>${this.submitting ? 'Recording…' : 'Record verification'}</button>
        <span class="muted" role="status">${this.hint(ids, unchecked, failing)}</span>
      </div>
      ${this.problem === null ? nothing : html`<div class="error" role="alert">${this.problem}</div>`}
      ${this.done === null ? nothing : html`<div class="success" role="status">${this.done}</div>`}
    </form>`;
  }

  private hint(ids: readonly string[], unchecked: boolean, failing: readonly string[]): string {
    if (ids.length === 0) return 'Pick at least one observation.';
    if (unchecked) return 'Press "Check evidence" to see whether the picked observations qualify.';
    if (this.outcome === 'PASSED' && failing.length > 0) return `A pass needs qualifying evidence; ${failing.join(', ')} ${failing.length === 1 ? 'does' : 'do'} not qualify.`;
    return '';
  }

  private renderCandidate(candidate: CandidateObservation): TemplateResult {
    const id = candidate.observationId;
    const minutes = Math.round(candidate.onTargetSeconds / 60);
    return html`<label class="observation">
        <input type="checkbox" .checked=${this.picked.has(id)} @change=${(event: Event) => this.toggle(id, (event.target as HTMLInputElement).checked)} />
        <span><span class="mono">${id}</span> · ${formatUtc(candidate.startUtc)} · ${candidate.band ?? '?'} band · ${candidate.product ?? 'unknown product'} · ${minutes} min on target</span>
      </label>
      ${this.picked.has(id) ? this.renderCheck(id) : nothing}`;
  }

  private renderCheck(id: string): TemplateResult | typeof nothing {
    if (!this.checks.has(id)) return nothing;
    const check = this.checks.get(id);
    if (check === null || check === undefined) {
      return html`<div class="check unmet">${id}: no observation has this id. Check it on the Observations page.</div>`;
    }
    if (check.qualifies) {
      return html`<div class="check ok">${id} qualifies.${check.archived ? nothing : html` No product of it is archived yet, so check the data before relying on it.`}</div>`;
    }
    return html`<div class="check unmet">
      ${id} does not qualify:
      <ul>
        ${check.unmet.map((unmet) => html`<li>${unmet.message}</li>`)}
      </ul>
    </div>`;
  }

  private toggle(id: string, on: boolean): void {
    const next = new Set(this.picked);
    if (on) next.add(id);
    else next.delete(id);
    this.picked = next;
    this.done = null;
    if (on && !this.checks.has(id)) void this.check();
  }

  private setTyped(value: string): void {
    this.typed = value;
    this.done = null;
  }

  /** Asks the API about every picked observation in one request. */
  async check(): Promise<void> {
    const ids = this.observationIds;
    if (ids.length === 0) return;
    this.checking = true;
    this.problem = null;
    try {
      const variables: Record<string, string> = { featureKey: this.featureKey };
      ids.forEach((id, index) => (variables[`o${index}`] = id));
      const data = await request<{ feature: Record<string, EvidenceCheck | null> | null }>(checkQuery(ids.length), variables);
      const next = new Map(this.checks);
      ids.forEach((id, index) => next.set(id, data.feature?.[`c${index}`] ?? null));
      this.checks = next;
    } catch (error) {
      this.problem = error instanceof Error ? error.message : String(error);
    } finally {
      this.checking = false;
    }
  }

  private async submit(event: SubmitEvent): Promise<void> {
    event.preventDefault();
    this.submitting = true;
    this.problem = null;
    const observationIds = this.observationIds;
    try {
      const input = { featureKey: this.featureKey, outcome: this.outcome, observationIds, notes: this.notes };
      const data = await request<{ recordVerification: { __typename: string; message?: string } }>(RECORD_VERIFICATION, { input });
      const result = data.recordVerification;
      if (result.message !== undefined) {
        this.problem = result.message;
        return;
      }
      this.done = `Recorded: ${this.featureKey} ${this.outcome.toLowerCase()} with ${observationIds.join(', ')}.`;
      this.picked = new Set();
      this.typed = '';
      this.notes = '';
      this.dispatchEvent(new CustomEvent('verification-recorded', { detail: { featureKey: this.featureKey, message: this.done }, bubbles: true, composed: true }));
    } catch (error) {
      this.problem = error instanceof Error ? error.message : String(error);
    } finally {
      this.submitting = false;
    }
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'onsky-verify-form': OnskyVerifyForm;
  }
}
