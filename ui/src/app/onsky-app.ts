/**
 * `<onsky-app>`: the shell. It owns the route (from the URL hash), the time control, the token,
 * the viewer's role and the live subscription, and shares them with pages through context. Each
 * page's code loads on its first visit, so the first paint needs only this file.
 */
import { provide } from '@lit/context';
import { html, LitElement, nothing, type TemplateResult } from 'lit';
import { customElement, state } from 'lit/decorators.js';
import { ApiError, request, storedToken, storeToken } from '../api/client.js';
import { followLogPosition } from '../api/shared-live.js';
import { hrefFor, PAGES, parseHash, updateQuery, type PageName, type Route } from './routes.js';
import { isRole, sessionContext, type Session } from './session.js';
import { appStyles } from './onsky-app.styles.js';
import { formatInstant, instantFromUrl, type TimeChange } from './time-control.js';

/** Loads a page's module; each becomes its own chunk. */
const PAGE_LOADERS: Record<PageName, () => Promise<unknown>> = {
  overview: () => import('../pages/overview-page.js'),
  features: () => import('../pages/features-page.js'),
  queue: () => import('../pages/queue-page.js'),
  changes: () => import('../pages/changes-page.js'),
  observations: () => import('../pages/observations-page.js'),
  unverified: () => import('../pages/unverified-page.js'),
  traceability: () => import('../pages/traceability-page.js'),
  findings: () => import('../pages/findings-page.js'),
  import: () => import('../pages/import-page.js'),
};

const WHO_AM_I_QUERY = /* GraphQL */ `
  query WhoAmI {
    whoAmI {
      role
      name
    }
  }
`;

const LOG_POSITION_QUERY = /* GraphQL */ `
  query LogPosition {
    logPosition
  }
`;

/*
 * The log position arrives through `followLogPosition`: one event stream for all tabs of the
 * browser (see ui/src/api/shared-live.ts). The server coalesces a burst (an import) into at most
 * one push a second, so a large import refreshes the pages a few times, not once per batch.
 */

/**
 * While the event stream is down (it reconnects with a growing delay), the shell polls the log
 * position this often instead, so pages still refresh when only streaming fails.
 */
const FALLBACK_POLL_MS = 15_000;

@customElement('onsky-app')
export class OnskyApp extends LitElement {
  static override styles = appStyles;

  @provide({ context: sessionContext })
  @state()
  private session: Session = { asOf: null, now: null, revision: 0, role: null };

  @state() private route: Route = parseHash(location.hash);
  @state() private loaded = new Set<PageName>();
  @state() private live = false;
  @state() private loadError: string | null = null;
  @state() private actorName: string | null = null;
  /**
   * Token state after the role query returned 401: `missing` without a stored token, `rejected`
   * with one. The header then shows it instead of showing the event stream as offline.
   */
  @state() private tokenProblem: 'missing' | 'rejected' | null = null;
  /**
   * False until the first log position is read. Pages render only after it, so their data is at
   * or after that position, and any later event moves the position and refreshes them.
   */
  @state() private positionKnown = false;

  private stopLive: (() => void) | undefined;
  private pollTimer: ReturnType<typeof setInterval> | undefined;
  /** Last log position seen; `undefined` before the first response. */
  private lastPosition: bigint | null | undefined = undefined;
  private positionCheck: Promise<void> = Promise.resolve();
  private readonly onHashChange = (): void => this.applyRoute();

  override connectedCallback(): void {
    super.connectedCallback();
    window.addEventListener('hashchange', this.onHashChange);
    this.applyRoute();
    void this.fetchRole();
    this.startLive();
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    window.removeEventListener('hashchange', this.onHashChange);
    this.stopLive?.();
    this.stopPolling();
  }

  private applyRoute(): void {
    const previous = this.route;
    this.route = parseHash(location.hash);
    const asOf = instantFromUrl(this.route.query.get('asOf'));
    // A link may carry both; the record-time view wins, as the time control never sets both.
    const now = asOf === null ? instantFromUrl(this.route.query.get('now')) : null;
    if (asOf !== this.session.asOf || now !== this.session.now) this.session = { ...this.session, asOf, now };
    void this.loadPage(this.route.page);
    if (previous.page !== this.route.page || previous.segments.join('/') !== this.route.segments.join('/')) {
      // Move focus to the new content so keyboard and screen-reader users land on it.
      void this.updateComplete.then(() => this.renderRoot.querySelector('main')?.focus({ preventScroll: true }));
      document.title = `${PAGES.find((page) => page.name === this.route.page)?.label ?? 'onsky'} · onsky`;
    }
  }

  private async loadPage(page: PageName): Promise<void> {
    if (this.loaded.has(page)) return;
    try {
      await PAGE_LOADERS[page]();
      this.loaded = new Set([...this.loaded, page]);
    } catch {
      this.loadError = `The ${page} page failed to load. Reload the browser; if it persists, rebuild the UI with \`npm run build:ui\`.`;
    }
  }

  private async fetchRole(): Promise<void> {
    try {
      const data = await request<{ whoAmI: { role: string; name: string } }>(WHO_AM_I_QUERY);
      this.actorName = data.whoAmI.name;
      this.tokenProblem = null;
      this.session = { ...this.session, role: isRole(data.whoAmI.role) ? data.whoAmI.role : 'viewer' };
    } catch (error) {
      // Without a response the app offers no actions, the safe default for an unknown role.
      this.actorName = null;
      this.tokenProblem = error instanceof ApiError && error.status === 401 ? (storedToken() === null ? 'missing' : 'rejected') : null;
      this.session = { ...this.session, role: null };
    }
  }

  private startLive(): void {
    this.stopLive?.();
    this.stopLive = followLogPosition(
      (position) => this.notePosition(position),
      (connected) => {
        this.live = connected;
        if (connected) this.stopPolling();
        else this.startPolling();
      },
    );
    // Pages wait for a first position; the query gives it even when streaming never connects.
    void this.checkPosition();
  }

  private startPolling(): void {
    if (this.pollTimer !== undefined) return;
    void this.checkPosition();
    this.pollTimer = setInterval(() => {
      if (document.visibilityState === 'visible') void this.checkPosition();
    }, FALLBACK_POLL_MS);
  }

  private stopPolling(): void {
    clearInterval(this.pollTimer);
    this.pollTimer = undefined;
  }

  /** Reads the log position with a query; the fallback for a dropped event stream. Checks run one after another. */
  private checkPosition(): Promise<void> {
    this.positionCheck = this.positionCheck.then(async () => {
      try {
        const data = await request<{ logPosition: string | null }>(LOG_POSITION_QUERY);
        this.notePosition(data.logPosition);
      } catch {
        // The pages show the API's error themselves; the next push or poll tries again.
        this.positionKnown = true;
      }
    });
    return this.positionCheck;
  }

  /**
   * Bumps the revision when the log moved past the last position seen, so every page fetches its
   * queries again. The first position only records where the log is, and an older position (a
   * query response that arrives after a newer push) is ignored. While the time control shows the
   * past, the pages' data cannot change, so the revision stays and no page refetches. Returning
   * to now changes `asOf`, which refetches anyway.
   */
  private notePosition(text: string | null): void {
    const position = text === null ? null : BigInt(text);
    const previous = this.lastPosition;
    this.positionKnown = true;
    if (previous === undefined) {
      this.lastPosition = position;
      return;
    }
    const moved = position !== null && (previous === null || position > previous);
    if (!moved) return;
    this.lastPosition = position;
    if (this.session.asOf === null) this.session = { ...this.session, revision: this.session.revision + 1 };
  }

  private saveToken(event: SubmitEvent): void {
    event.preventDefault();
    const form = event.target as HTMLFormElement;
    const input = form.querySelector('input') as HTMLInputElement;
    storeToken(input.value);
    input.value = '';
    (form.closest('details') as HTMLDetailsElement).open = false;
    void this.fetchRole();
    this.startLive();
    this.session = { ...this.session, revision: this.session.revision + 1 };
  }

  private clearToken(event: Event): void {
    storeToken(null);
    ((event.target as HTMLElement).closest('details') as HTMLDetailsElement).open = false;
    void this.fetchRole();
    this.startLive();
    this.session = { ...this.session, revision: this.session.revision + 1 };
  }

  override render(): TemplateResult {
    return html`
      <a class="skip" href="#main" @click=${this.skipToMain}>Skip to content</a>
      <header>
        <div class="top">
          <a class="brand" href=${hrefFor('overview')}>
            <svg viewBox="0 0 16 16" aria-hidden="true"><circle cx="8" cy="8" r="7" fill="#24467d" /><path d="M3 10a5 5 0 0 1 10 0" stroke="#f5c451" stroke-width="1.6" fill="none" /></svg>
            onsky
          </a>
          <span class="spacer"></span>
          <onsky-time-control .asOf=${this.session.asOf} .now=${this.session.now} @time-change=${(event: CustomEvent<TimeChange>) => updateQuery({ ...event.detail })}></onsky-time-control>
          <div class="tools">
            ${this.renderLiveState()}
            <span class="role" data-role=${this.session.role ?? ''} title=${this.actorName === null ? 'The role is unknown until the API responds' : `Acting as ${this.actorName}`}>${this.session.role ?? 'no role'}</span>
            ${this.renderTokenForm()}
          </div>
        </div>
        <nav aria-label="Pages">
          <ul>
            ${PAGES.map(
              (page) => html`<li><a href=${hrefFor(page.name)} aria-current=${this.route.page === page.name ? 'page' : nothing}>${page.label}</a></li>`,
            )}
          </ul>
        </nav>
      </header>
      ${this.renderPastBanner()}
      <main id="main" tabindex="-1">${this.loadError === null ? this.renderPage() : html`<p role="alert">${this.loadError}</p>`}</main>
      <footer>onsky · commissioning tracker · data from the GraphQL API at <code>/graphql</code></footer>
    `;
  }

  /** Says which past time the pages show, and how, while the time control is not at now. */
  private renderPastBanner(): TemplateResult | typeof nothing {
    const { asOf, now } = this.session;
    if (asOf !== null) {
      return html`<div class="past" role="status">Showing the state as of ${formatInstant(asOf)}: only what was recorded by then. Actions are off while you look at the past.</div>`;
    }
    if (now !== null) {
      return html`<div class="past" role="status">Showing what had happened by ${formatInstant(now)}, from every record: deliveries, verifications and observations by their own dates, with ages, waits and the flow window ending then. Actions are off while you look at the past.</div>`;
    }
    return nothing;
  }

  /** Shows whether pages update live, or why the API turns the browser away. */
  private renderLiveState(): TemplateResult {
    if (this.tokenProblem !== null) {
      const text = this.tokenProblem === 'missing' ? 'Token needed' : 'Token rejected';
      const help =
        this.tokenProblem === 'missing'
          ? 'The API needs a token: paste one under Token (an admin creates it with onsky token create)'
          : 'The API rejected the stored token (unknown, revoked or expired): paste a new one under Token';
      return html`<span class="live problem" role="status" title=${help}><span class="dot"></span>${text}</span>`;
    }
    return html`<span class="live" title=${this.live ? 'Pages update as events land' : 'Reconnecting to live updates'}>
      <span class=${this.live ? 'dot on' : 'dot'}></span>${this.live ? 'Live' : 'Offline'}
    </span>`;
  }

  private renderTokenForm(): TemplateResult {
    const hasToken = storedToken() !== null;
    return html`<details class="token">
      <summary>Token${hasToken ? ' ✓' : ''}</summary>
      <form @submit=${this.saveToken}>
        <label>API token (stored in this browser only)
          <input type="password" autocomplete="off" placeholder="paste a token from onsky token create" />
        </label>
        <div class="buttons">
          <button type="submit">Use token</button>
          <button type="button" class="secondary" @click=${this.clearToken}>Clear</button>
        </div>
      </form>
    </details>`;
  }

  private skipToMain(event: Event): void {
    event.preventDefault();
    this.renderRoot.querySelector('main')?.focus();
  }

  private renderPage(): TemplateResult {
    const { page } = this.route;
    if (!this.loaded.has(page) || !this.positionKnown) return html`<p class="muted" role="status">Loading…</p>`;
    const route = this.route;
    switch (page) {
      case 'overview':
        return html`<onsky-overview-page .route=${route}></onsky-overview-page>`;
      case 'features':
        return route.segments.length > 0
          ? html`<onsky-feature-page .route=${route}></onsky-feature-page>`
          : html`<onsky-features-page .route=${route}></onsky-features-page>`;
      case 'queue':
        return html`<onsky-queue-page .route=${route}></onsky-queue-page>`;
      case 'changes':
        return html`<onsky-changes-page .route=${route}></onsky-changes-page>`;
      case 'observations':
        return html`<onsky-observations-page .route=${route}></onsky-observations-page>`;
      case 'unverified':
        return html`<onsky-unverified-page .route=${route}></onsky-unverified-page>`;
      case 'traceability':
        return html`<onsky-traceability-page .route=${route}></onsky-traceability-page>`;
      case 'findings':
        return html`<onsky-findings-page .route=${route}></onsky-findings-page>`;
      case 'import':
        return html`<onsky-import-page .route=${route}></onsky-import-page>`;
    }
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'onsky-app': OnskyApp;
  }
}
