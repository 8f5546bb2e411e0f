/**
 * `<onsky-time-control>`: picks the past time every page shows. "As recorded then" shows the state
 * as of that instant, only what was recorded by then (`asOf`). "As it happened then" keeps every
 * record of what had happened by then by its own date, and measures ages, waits and the flow window
 * at it (`now`), which is how a history imported today is reviewed for a past period. The field is read as UTC
 * (the observatory logs in UTC), and "Now" returns to the live state. Fires `time-change`.
 */
import { css, html, LitElement, type TemplateResult } from 'lit';
import { customElement, property, state } from 'lit/decorators.js';

/** Detail of `time-change`: at most one of the two is set; both `null` means now. */
export interface TimeChange {
  readonly asOf: string | null;
  readonly now: string | null;
}

type Mode = 'asOf' | 'now';

const DATE_ONLY = /^\d{4}-\d{2}-\d{2}$/;
const WITH_ZONE = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})$/;

/**
 * Reads an `asOf` or `now` value from the URL. A time with a zone is converted to UTC, and a date
 * means the end of that day in UTC, as the API reads it. An empty or unreadable value gives `null`,
 * so the pages show the live state.
 */
export function instantFromUrl(value: string | null): string | null {
  if (value === null) return null;
  const text = value.trim();
  const instant = DATE_ONLY.test(text) ? new Date(`${text}T23:59:59.999Z`) : WITH_ZONE.test(text) ? new Date(text) : null;
  if (instant === null || Number.isNaN(instant.getTime())) return null;
  return instant.toISOString().replace('.000Z', 'Z');
}

/** Formats an ISO 8601 UTC instant for a sentence to the minute, e.g. `2019-03-08 12:00 UTC`. */
export function formatInstant(instant: string): string {
  return `${instant.slice(0, 10)} ${instant.slice(11, 16)} UTC`;
}

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
    input,
    select {
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
    input:focus-visible,
    select:focus-visible {
      outline: 3px solid var(--onsky-focus);
      outline-offset: 2px;
    }
    .error {
      color: #ffd2cc;
    }
  `;

  /** The instant shown by record time, ISO 8601 UTC; `null` unless that mode is on. */
  @property({ attribute: false }) asOf: string | null = null;

  /** The instant of the "as it happened then" view, ISO 8601 UTC; `null` unless that mode is on. */
  @property({ attribute: false }) now: string | null = null;

  @state() private problem: string | null = null;

  override render(): TemplateResult {
    const selected = this.asOf ?? this.now;
    const value = selected === null ? '' : selected.slice(0, 16);
    const mode: Mode = this.now !== null ? 'now' : 'asOf';
    return html`<form @submit=${this.apply} aria-label="Time control">
      <label for="as-of">Time (UTC)</label>
      <input id="as-of" type="datetime-local" step="60" .value=${value} aria-describedby="as-of-problem" />
      <select id="time-mode" .value=${mode} aria-label="Which records count" title="As recorded then: only what onsky had recorded by that time. As it happened then: everything recorded since about what had happened by that time, by its own dates, with ages, waits and the flow window measured then.">
        <option value="asOf" ?selected=${mode === 'asOf'}>as recorded then</option>
        <option value="now" ?selected=${mode === 'now'}>as it happened then</option>
      </select>
      <button type="submit">Show</button>
      <button type="button" @click=${this.pressNow} ?disabled=${selected === null}>Now</button>
      <span id="as-of-problem" class="error" role="status">${this.problem ?? ''}</span>
    </form>`;
  }

  private apply(event: SubmitEvent): void {
    event.preventDefault();
    const input = this.renderRoot.querySelector('input') as HTMLInputElement;
    const mode = (this.renderRoot.querySelector('select') as HTMLSelectElement).value as Mode;
    if (input.value === '') {
      this.returnToNow();
      return;
    }
    const instant = new Date(`${input.value}:00Z`);
    if (Number.isNaN(instant.getTime())) {
      this.problem = `"${input.value}" is not a date and time; pick one from the field or press Now.`;
      return;
    }
    this.problem = null;
    const text = instant.toISOString().replace('.000Z', 'Z');
    this.fire(mode === 'now' ? { asOf: null, now: text } : { asOf: text, now: null });
  }

  /**
   * Returns to now from the Now button. The button is then disabled, which would drop the keyboard
   * focus to the page, so the focus moves to the time field.
   */
  private pressNow(): void {
    this.returnToNow();
    (this.renderRoot.querySelector('input') as HTMLInputElement | null)?.focus();
  }

  private returnToNow(): void {
    this.problem = null;
    this.fire({ asOf: null, now: null });
  }

  private fire(detail: TimeChange): void {
    this.dispatchEvent(new CustomEvent<TimeChange>('time-change', { detail, bubbles: true, composed: true }));
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'onsky-time-control': OnskyTimeControl;
  }
}
