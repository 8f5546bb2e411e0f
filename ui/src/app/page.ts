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
  protected session: Session = { asOf: null, now: null, revision: 0, role: null };

  @property({ attribute: false })
  route: Route = parseHash('');

  /** Arguments every data task depends on: the time control and the live revision. */
  protected get sessionArgs(): readonly [string | null, number] {
    return [this.session.asOf, this.session.revision];
  }

  /**
   * Arguments of tasks whose figures depend on the clock (ages, waits, the flow window): `asOf`,
   * the time control's `now`, and the live revision.
   */
  protected get clockArgs(): readonly [string | null, string | null, number] {
    return [this.session.asOf, this.session.now, this.session.revision];
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

export { formatDate, formatHours, formatNumber, formatUtc } from './format.js';
