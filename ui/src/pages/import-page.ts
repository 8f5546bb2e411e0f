/**
 * `<onsky-import-page>` (`#/import`): drop a file, pick its format or take the one detected
 * from its first lines, preview what a dry run would record, then import it with progress.
 */
import { css, html, nothing, type TemplateResult } from 'lit';
import { customElement, state } from 'lit/decorators.js';
import { detectFormat, unreadableReason, uploadImport, type DetectedFormat, type ImportProgress, type ImportSummary } from '../api/upload.js';
import { OnskyPage } from '../app/page.js';
import { hrefFor } from '../app/routes.js';
import { roleAllows, showsPast } from '../app/session.js';
import { pageStyles } from './page.styles.js';

/** Formats the server imports, with what each file looks like. */
const FORMATS: readonly { readonly name: string; readonly label: string }[] = [
  { name: 'plan', label: 'plan: commissioning plan (YAML or JSON features list)' },
  { name: 'obslog', label: 'obslog: observation-script log' },
  { name: 'sdpmc', label: 'sdpmc: SDP master-controller log' },
  { name: 'archive', label: 'archive: archive search listing' },
  { name: 'katdal', label: 'katdal: dataset summary' },
  { name: 's3', label: 's3: object-store listing (s3cmd ls)' },
  { name: 'jira', label: 'jira: Jira export (CSV or JSON)' },
  { name: 'git', label: 'git: git history (JSON lines)' },
  { name: 'catalogue', label: 'catalogue: katpoint target catalogue' },
  { name: 'syslog', label: 'syslog: host syslog' },
  { name: 'journal', label: 'journal: commissioning journal (YAML or JSON entries in time order)' },
];

type Step = 'pick' | 'previewing' | 'previewed' | 'importing' | 'imported';

@customElement('onsky-import-page')
export class OnskyImportPage extends OnskyPage {
  static override styles = [
    pageStyles,
    css`
      .drop {
        border: 2px dashed #8592a6;
        border-radius: var(--onsky-radius);
        padding: 28px;
        text-align: center;
        background: var(--onsky-surface);
      }
      .drop.over {
        border-color: var(--onsky-accent);
        background: #eef4fd;
      }
      progress {
        width: 100%;
        height: 14px;
      }
    `,
  ];

  @state() private file: File | null = null;
  @state() private format = '';
  @state() private detected: DetectedFormat | null = null;
  /** True while the server detects the chosen file's format. */
  @state() private detecting = false;
  /** Reason the chosen file cannot be imported at all (empty, binary); `null` otherwise. */
  @state() private fileProblem: string | null = null;
  /** Message of a failed detection request (not a file no rule matches); `null` otherwise. */
  @state() private detectProblem: string | null = null;
  @state() private step: Step = 'pick';
  @state() private preview: ImportSummary | null = null;
  @state() private result: ImportSummary | null = null;
  @state() private progress: ImportProgress | null = null;
  @state() private problem: string | null = null;
  @state() private over = false;

  override render(): TemplateResult {
    const mayImport = roleAllows(this.session.role, 'engineer');
    const pastView = showsPast(this.session);
    return html`
      <h1>Import</h1>
      <p class="lede">Load observation logs, SDP controller logs, archive listings, dataset summaries, object-store listings, host syslogs, Jira exports, git histories, catalogues, a commissioning plan or a journal of what happened. A dry run shows what would be recorded before anything is written; importing the same file twice records nothing twice.</p>
      ${pastView
        ? html`<p class="card">Importing is off while the time control shows the past. Press Now in the time control to import.</p>`
        : mayImport
          ? this.renderForm()
          : html`<p class="card">Importing needs an engineer token. Set one under "Token" in the header, or run <code>onsky import FORMAT FILE</code> on the server.</p>`}
    `;
  }

  private renderForm(): TemplateResult {
    const busy = this.step === 'previewing' || this.step === 'importing';
    return html`<section class="card" aria-labelledby="file-heading">
        <h2 id="file-heading">1. File and format</h2>
        <div
          class=${this.over ? 'drop over' : 'drop'}
          @dragover=${(event: DragEvent) => {
            event.preventDefault();
            this.over = true;
          }}
          @dragleave=${() => (this.over = false)}
          @drop=${this.drop}
        >
          <p>${this.file === null ? 'Drop a file here, or choose one:' : html`<strong>${this.file.name}</strong> (${formatBytes(this.file.size)})`}</p>
          <label>File<input type="file" @change=${this.choose} ?disabled=${busy} /></label>
        </div>
        <div class="filters" style="margin-top:12px">
          <label>Format
            <select @change=${(event: Event) => this.setFormat((event.target as HTMLSelectElement).value)} ?disabled=${busy}>
              <option value="" ?selected=${this.format === ''}>Choose a format</option>
              ${this.formatChoices().map((format) => html`<option value=${format.name} ?selected=${this.format === format.name}>${format.label}</option>`)}
            </select>
          </label>
          <button ?disabled=${this.file === null || this.format === '' || this.fileProblem !== null || this.needsCommissioner() || busy} @click=${() => void this.run(true)}>${this.step === 'previewing' ? 'Checking…' : 'Dry run'}</button>
        </div>
        <p class="muted" role="status">${this.detectionNote()}</p>
        ${this.needsCommissioner()
          ? html`<p class="error" role="alert">A ${this.format} records commissioning decisions (features, verifications, reviews), so importing one needs a commissioner token. Set one under "Token" in the header.</p>`
          : nothing}
      </section>
      ${this.problem === null ? nothing : html`<div class="error" role="alert">${this.problem}</div>`}
      ${this.preview === null || this.step === 'imported' ? nothing : this.renderSummary('2. Preview (nothing recorded yet)', this.preview)}
      ${this.preview === null || this.step === 'imported'
        ? nothing
        : html`<section class="card" aria-labelledby="import-heading">
            <h2 id="import-heading">3. Import</h2>
            <button ?disabled=${busy || this.preview.appended === 0} @click=${() => void this.run(false)}>${this.step === 'importing' ? 'Importing…' : `Import ${eventCount(this.preview.appended)}`}</button>
          </section>`}
      ${this.progress === null || !busy ? nothing : this.renderProgress(this.progress)}
      ${this.result === null
        ? nothing
        : html`${this.renderSummary('Imported', this.result)}
            <p>See the result on the <a href=${hrefFor('overview')}>Overview</a>, <a href=${hrefFor('features')}>Features</a> or <a href=${hrefFor('observations')}>Observations</a> page.</p>`}`;
  }

  private renderProgress(progress: ImportProgress): TemplateResult {
    const label = progress.read === null ? `Uploading: ${Math.round(progress.uploaded * 100)}%` : `Read ${progress.read.toLocaleString('en-GB')} records, recorded ${(progress.appended ?? 0).toLocaleString('en-GB')} events`;
    return html`<section class="card" aria-label="Progress">
      <progress aria-label="Import progress" max="1" .value=${progress.read === null ? progress.uploaded : 1}></progress>
      <p role="status">${label}</p>
    </section>`;
  }

  private renderSummary(title: string, summary: ImportSummary): TemplateResult {
    const types = Object.entries(summary.eventTypes).sort((a, b) => b[1] - a[1]);
    return html`<section class="card" aria-label=${title}>
      <h2>${title}</h2>
      <dl class="figures">
        <div><dt>Format</dt><dd>${summary.format}</dd></div>
        <div><dt>Records read</dt><dd>${summary.read.toLocaleString('en-GB')}</dd></div>
        <div><dt>${summary.dryRun ? 'Events to record' : 'Events recorded'}</dt><dd>${summary.appended.toLocaleString('en-GB')}</dd></div>
        <div><dt>Already known</dt><dd>${summary.duplicates.toLocaleString('en-GB')}</dd></div>
        <div><dt>Nothing to record</dt><dd>${summary.untracked.toLocaleString('en-GB')}</dd></div>
        <div><dt>Warnings</dt><dd>${summary.warnings.length}</dd></div>
      </dl>
      ${types.length === 0
        ? html`<p class="muted">${nothingNewText(summary)}</p>`
        : html`<table class="plain">
            <thead><tr><th scope="col">Event</th><th scope="col" class="num">Count</th></tr></thead>
            <tbody>${types.map(([type, count]) => html`<tr><td class="mono">${type}</td><td class="num">${count.toLocaleString('en-GB')}</td></tr>`)}</tbody>
          </table>`}
      ${summary.reactions.length === 0
        ? nothing
        : html`<h3>${summary.dryRun ? 'Deployments would' : 'Deployments'}</h3>
            <table class="plain">
              <thead><tr><th scope="col">Line</th><th scope="col">Change</th><th scope="col">Feature</th><th scope="col">Action</th></tr></thead>
              <tbody>
                ${summary.reactions.map(
                  (reaction) =>
                    html`<tr><td class="num">${reaction.line}</td><td class="mono">${reaction.changeId}</td><td><a href=${hrefFor('features', [reaction.featureKey])}>${reaction.featureKey}</a></td><td>${summary.dryRun ? reactionVerb(reaction.action) : reaction.action}</td></tr>`,
                )}
              </tbody>
            </table>`}
      ${summary.warnings.length === 0
        ? nothing
        : html`<h3>Warnings</h3>
            <ul>
              ${summary.warnings.slice(0, 50).map((warning) => html`<li>${warning.line == null ? '' : `line ${warning.line}: `}${warning.message}</li>`)}
            </ul>
            ${summary.warnings.length > 50 ? html`<p class="muted">The first 50 of ${summary.warnings.length} are listed; the CLI prints them all.</p>` : nothing}`}
    </section>`;
  }

  private drop(event: DragEvent): void {
    event.preventDefault();
    this.over = false;
    const file = event.dataTransfer?.files[0];
    if (file !== undefined) void this.setFile(file);
  }

  private choose(event: Event): void {
    const file = (event.target as HTMLInputElement).files?.[0];
    if (file !== undefined) void this.setFile(file);
  }

  /** Returns the listed formats, plus the detected one when the server detects a format this page does not list yet. */
  /** Plans and journals are commissioning decisions, which the server takes from a commissioner alone. */
  private needsCommissioner(): boolean {
    return (this.format === 'plan' || this.format === 'journal') && !roleAllows(this.session.role, 'commissioner');
  }

  private formatChoices(): readonly { readonly name: string; readonly label: string }[] {
    const detected = this.detected?.format;
    if (detected === undefined || FORMATS.some((format) => format.name === detected)) return FORMATS;
    return [...FORMATS, { name: detected, label: detected }];
  }

  private detectionNote(): string {
    if (this.file === null) return '';
    if (this.fileProblem !== null) return this.fileProblem;
    if (this.detecting) return 'Detecting the format…';
    if (this.detectProblem !== null) return `The format could not be detected: ${this.detectProblem} Choose it above.`;
    if (this.detected === null) return 'The format could not be detected from the file; choose it above.';
    return `Detected ${this.detected.format} from ${this.detected.reason}.${this.format !== this.detected.format ? ' You chose another format.' : ''}`;
  }

  private async setFile(file: File): Promise<void> {
    this.file = file;
    this.reset();
    this.detected = null;
    this.detectProblem = null;
    this.fileProblem = null;
    this.detecting = true;
    try {
      const unreadable = await unreadableReason(file);
      if (this.file !== file) return;
      if (unreadable !== null) {
        this.fileProblem = unreadable;
        this.format = '';
        return;
      }
      const detected = await detectFormat(file);
      // A file chosen meanwhile replaces this one; its own detection sets the label.
      if (this.file !== file) return;
      this.detected = detected;
      // An undetected file must not keep the format of the file picked before it.
      this.format = detected?.format ?? '';
    } catch (error) {
      if (this.file === file) this.detectProblem = error instanceof Error ? error.message : String(error);
    } finally {
      if (this.file === file) this.detecting = false;
    }
  }

  private setFormat(format: string): void {
    this.format = format;
    this.reset();
  }

  private reset(): void {
    this.preview = null;
    this.result = null;
    this.problem = null;
    this.step = 'pick';
  }

  private async run(dryRun: boolean): Promise<void> {
    if (this.file === null) return;
    this.problem = null;
    this.step = dryRun ? 'previewing' : 'importing';
    this.progress = { uploaded: 0, read: null, appended: null };
    try {
      const summary = await uploadImport(this.file, { format: this.format, dryRun }, (progress) => (this.progress = progress));
      if (dryRun) {
        this.preview = summary;
        this.step = 'previewed';
      } else {
        this.result = summary;
        this.step = 'imported';
      }
    } catch (error) {
      this.problem = error instanceof Error ? error.message : String(error);
      this.step = this.preview === null ? 'pick' : 'previewed';
    } finally {
      this.progress = null;
    }
  }
}

/** Returns the dry-run wording of a reaction: `delivered` becomes `deliver`. */
function reactionVerb(action: string): string {
  if (action === 'delivered') return 'deliver';
  if (action === 'marked suspect') return 'mark suspect';
  return action;
}

function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KB`;
  return `${(bytes / 1024 / 1024).toFixed(1)} MB`;
}

declare global {
  interface HTMLElementTagNameMap {
    'onsky-import-page': OnskyImportPage;
  }
}

function eventCount(count: number): string {
  return `${count.toLocaleString('en-GB')} ${count === 1 ? 'event' : 'events'}`;
}

/** Explains why a file adds nothing: the log already contains it all, or its records were skipped and the warnings give the reasons. */
function nothingNewText(summary: ImportSummary): string {
  if (summary.warnings.length > 0 && summary.duplicates < summary.read) {
    return 'Nothing to record: the records this file adds were skipped; the warnings below say why.';
  }
  if (summary.read === 0) return 'Nothing to record: no records were read from this file; the warnings below say why.';
  return 'Nothing new: the log already holds everything in this file.';
}
