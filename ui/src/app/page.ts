/**
 * Base of every page: it receives the route from the shell and the session (asOf, live revision,
 * role) through context, and renders a task's states so that a live refresh keeps the last
 * result on screen instead of flashing a loading message.
 */
import { consume } from '@lit/context';
import { Task, TaskStatus } from '@lit/task';
import { html, LitElement, nothing, type TemplateResult } from 'lit';
import { property, state } from 'lit/decorators.js';
import { ApiError } from '../api/client.js';
import { parseHash, type Route } from './routes.js';
import { sessionContext, type Session } from './session.js';

export abstract class OnskyPage extends LitElement {
  @consume({ context: sessionContext, subscribe: true })
  @state()
  protected session: Session = { asOf: null, revision: 0, role: null };

  @property({ attribute: false })
  route: Route = parseHash('');

  /** Arguments every data task depends on: the time control and the live revision. */
  protected get sessionArgs(): readonly [string | null, number] {
    return [this.session.asOf, this.session.revision];
  }

  /**
   * Renders a task: its last value while a refresh runs, a loading line before the first result,
   * and the server's message with what to do when it fails.
   */
  protected renderTask<T>(task: Task<readonly unknown[], T>, complete: (value: T) => TemplateResult | typeof nothing): TemplateResult | typeof nothing {
    const error = task.status === TaskStatus.ERROR ? task.error : undefined;
    const value = task.value;
    if (value === undefined && error === undefined) {
      return html`<p class="muted" role="status">Loading…</p>`;
    }
    return html`${error === undefined ? nothing : renderError(error)}${value === undefined ? nothing : complete(value)}`;
  }
}

/** Shows an error as the server or the client worded it; never a stack trace. */
export function renderError(error: unknown): TemplateResult {
  const message = error instanceof ApiError || error instanceof Error ? error.message : String(error);
  return html`<div class="error" role="alert">${message}</div>`;
}

/** Formats an ISO 8601 instant as `2019-03-05 16:24 UTC`; `—` when missing. */
export function formatUtc(instant: string | null | undefined): string {
  if (instant === null || instant === undefined || instant === '') return '—';
  const date = new Date(instant);
  if (Number.isNaN(date.getTime())) return instant;
  return `${date.toISOString().slice(0, 16).replace('T', ' ')} UTC`;
}

export function formatDate(instant: string | null | undefined): string {
  if (instant === null || instant === undefined || instant === '') return '—';
  return instant.slice(0, 10);
}

/** Formats a number with at most `digits` decimals; `—` for null. */
/** Formats hours to 0.01 below one hour, so that a few minutes of observing do not read as 0, and to 0.1 above. */
export function formatHours(hours: number | null | undefined): string {
  if (hours === null || hours === undefined) return formatNumber(hours);
  return formatNumber(hours, Math.abs(hours) < 1 ? 2 : 1);
}

export function formatNumber(value: number | null | undefined, digits = 1): string {
  if (value === null || value === undefined || !Number.isFinite(value)) return '—';
  return value.toLocaleString('en-GB', { maximumFractionDigits: digits });
}
