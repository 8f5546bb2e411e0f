/**
 * `<onsky-time-control>`: picks the instant every page shows the state as of. The field is read
 * as UTC (the observatory logs in UTC), and "Now" returns to the live state. Fires `asof-change`
 * with an ISO 8601 UTC string, or `null` for now.
 */
import { css, html, LitElement, type TemplateResult } from 'lit';
import { customElement, property, state } from 'lit/decorators.js';

@customElement('onsky-time-control')
export class OnskyTimeControl extends LitElement {
  static override styles = css`
    :host {
      display: block;
      color: #dce5f5;
      font-size: 13px;
    }
    form {
      display: flex;
      gap: 6px;
      align-items: center;
    }
    label {
      font-weight: 600;
    }
    input {
      font: inherit;
      padding: 3px 6px;
      border-radius: 4px;
      border: 1px solid #8592a6;
      background: #ffffff;
      color: #17212f;
    }
    button {
      font: inherit;
      padding: 3px 10px;
      border-radius: 4px;
      border: 1px solid #dce5f5;
      background: transparent;
      color: #ffffff;
      cursor: pointer;
    }
    button:focus-visible,
    input:focus-visible {
      outline: 3px solid var(--onsky-focus);
      outline-offset: 2px;
    }
    .error {
      color: #ffd2cc;
    }
  `;

  /** The instant shown, ISO 8601 UTC; `null` for now. */
  @property({ attribute: false }) asOf: string | null = null;

  @state() private problem: string | null = null;

  override render(): TemplateResult {
    const value = this.asOf === null ? '' : this.asOf.slice(0, 16);
    return html`<form @submit=${this.apply} aria-label="Time control">
      <label for="as-of">As of (UTC)</label>
      <input id="as-of" type="datetime-local" step="60" .value=${value} aria-describedby="as-of-problem" />
      <button type="submit">Show</button>
      <button type="button" @click=${this.now} ?disabled=${this.asOf === null}>Now</button>
      <span id="as-of-problem" class="error" role="status">${this.problem ?? ''}</span>
    </form>`;
  }

  private apply(event: SubmitEvent): void {
    event.preventDefault();
    const input = this.renderRoot.querySelector('input') as HTMLInputElement;
    if (input.value === '') {
      this.now();
      return;
    }
    const instant = new Date(`${input.value}:00Z`);
    if (Number.isNaN(instant.getTime())) {
      this.problem = `"${input.value}" is not a date and time; pick one from the field or press Now.`;
      return;
    }
    this.problem = null;
    this.dispatchEvent(new CustomEvent('asof-change', { detail: instant.toISOString().replace('.000Z', 'Z'), bubbles: true, composed: true }));
  }

  private now(): void {
    this.problem = null;
    this.dispatchEvent(new CustomEvent<string | null>('asof-change', { detail: null, bubbles: true, composed: true }));
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'onsky-time-control': OnskyTimeControl;
  }
}
