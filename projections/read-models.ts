/**
 * The query API of the read models over one projection state. The live runtime and every as-of
 * view hand out a `ReadModels`. Sorted lists that several queries share (observations by start,
 * archived observations, the timeline, search rows) are built on first use and kept until the
 * next event is applied.
 */
import { compareText, type VerifiedFeatureLookup } from '../domain/index.js';
import type { Position } from '../store/port.js';
import { featureBoard, featureDetail, type BoardFilter, type FeatureBoardEntry, type FeatureDetail } from './board.js';
import { flowReport, type FlowOptions, type FlowReport } from './backpressure.js';
import {
  changeView,
  findingView,
  observationDetail,
  observationIdForCaptureBlock,
  observationIdForScheduleBlock,
  observationIdNearStart,
  searchFindings,
  targetByName,
  ticketView,
  toTicketView,
  verifiedFeaturesWithComponent,
  evidenceStartOf,
  type ChangeView,
  type FindingView,
  type ObservationDetail,
  type TicketView,
} from './entities.js';
import { catalogueTags, isArchived } from './facts.js';
import { dataGaps, type DataGap, type GapOptions } from './gaps.js';
import { unverifiedDataLedger, type LedgerOptions, type UnverifiedDataLedger } from './ledger.js';
import type { LoggedTimelineEntry, ObservationRecord, ProjectionState } from './model.js';
import { checkEvidence, verificationQueue, type EvidenceCheck, type QueueOptions, type VerificationQueueEntry } from './queue.js';
import { refreshSearchRow, searchObservations, searchRow, sortSearchRows, type ObservationPage, type ObservationQuery, type SearchRow } from './search.js';
import {
  changesBetween,
  configurationAt,
  timeline,
  type ChangesBetween,
  type ComponentConfiguration,
  type TimelineFilter,
  type TimelinePage,
} from './timeline.js';
import { traceability, type RequirementTrace } from './traceability.js';
import type { TargetEntry } from '../domain/index.js';

interface Derived {
  version: number;
  /** Whole-log reports by query name and arguments, so repeated reads between events are free. */
  reports?: Map<string, unknown>;
  byStart?: ObservationRecord[];
  archivedByStart?: ObservationRecord[];
  loggedByTime?: LoggedTimelineEntry[];
}

/**
 * Search rows of every observation, newest first. Kept across events: only observations the fold
 * touched since the last query are refreshed, and the list is re-sorted (nearly sorted, so about
 * linear) when one was added or its start moved.
 */
interface SearchIndex {
  readonly rows: SearchRow[];
  readonly byId: Map<string, SearchRow>;
}

/** The query API: every read model's queries over one projection state. */
export class ReadModels implements VerifiedFeatureLookup {
  private derived: Derived = { version: -1 };
  private searchIndex: SearchIndex | undefined;

  constructor(private state: ProjectionState) {}

  /**
   * Points this query API at another state, e.g. one restored from a snapshot during start, so a
   * reference taken before `ready` stays live. Internal to the projections runtime.
   */
  rebind(state: ProjectionState): void {
    this.state = state;
    this.derived = { version: -1 };
    this.searchIndex = undefined;
  }

  /** Position of the last event folded in, `undefined` before the first. */
  get position(): Position | undefined {
    return this.state.position ?? undefined;
  }

  /** Record time of the last event folded in (ISO 8601 UTC), `null` before the first. */
  get lastRecordedAt(): string | null {
    return this.state.lastRecordedAt;
  }

  /** Events folded in so far. */
  get eventCount(): number {
    return this.state.version;
  }

  // ---- feature board and verification queue ----

  /** Feature board rows, ordered by subsystem and key; `now` sets days waiting. */
  featureBoard(now: string, filter: BoardFilter = {}): FeatureBoardEntry[] {
    return featureBoard(this.state, now, filter);
  }

  /** Returns the feature page: history, verifications, suspicions, evidence, linked changes, tickets, findings. */
  featureDetail(featureKey: string, now: string): FeatureDetail | undefined {
    return featureDetail(this.state, featureKey, now);
  }

  /** Features awaiting verification by verification WSJF (ties: longest waiting), with candidate evidence. */
  verificationQueue(now: string, options: QueueOptions = {}): VerificationQueueEntry[] {
    return verificationQueue(this.state, this.archivedByStart(), now, options);
  }

  /** Checks whether an observation qualifies as evidence for a feature, listing unmet criteria. */
  checkEvidence(featureKey: string, observationId: string): EvidenceCheck | undefined {
    return checkEvidence(this.state, featureKey, observationId);
  }

  // ---- flow, backpressure, unverified data, traceability ----

  /** Flow, backpressure signal and recommendation, overall and per subsystem. */
  flowReport(options: FlowOptions): FlowReport {
    return this.memo('flow', options, () => flowReport(this.state, options));
  }

  /** Observed hours by review state and group, QA coverage, archive latency. */
  unverifiedData(options: LedgerOptions): UnverifiedDataLedger {
    return this.memo('ledger', options, () => unverifiedDataLedger(this.state, options));
  }

  /** Requirement → features → changes → observations → verifications → tickets, with coverage. */
  traceability(requirementRefs: readonly string[] = []): RequirementTrace[] {
    return this.memo('traceability', requirementRefs, () => traceability(this.state, requirementRefs));
  }

  // ---- timeline, configuration, gaps, search ----

  /** Dated entries in time order, filtered by range and kind, paged. */
  timeline(filter: TimelineFilter = {}): TimelinePage {
    return timeline(this.loggedByTime(), this.byStart(), filter);
  }

  /** For each component, the change live at `at` (ISO 8601 UTC). */
  configurationAt(at: string): ComponentConfiguration[] {
    return configurationAt(this.state, at);
  }

  /** Deployments and rollbacks between the starts of two observations. */
  changesBetween(observationA: string, observationB: string): ChangesBetween | undefined {
    return changesBetween(this.state, observationA, observationB);
  }

  /** Observations seen in logs but not archived, or missing expected products. */
  dataGaps(options: GapOptions = {}): DataGap[] {
    return this.memo('gaps', options, () => dataGaps(this.state, options));
  }

  /** Observation search, newest first, with a total count. */
  searchObservations(query: ObservationQuery = {}): ObservationPage {
    return searchObservations(this.rows(), query);
  }

  // ---- entities ----

  /** Returns a change with its deployments, rollbacks and the features it made suspect. */
  change(changeId: string): ChangeView | undefined {
    return changeView(this.state, changeId);
  }

  /** Changes ordered by change id. */
  changes(): ChangeView[] {
    return this.sortedKeys(this.state.changes).flatMap((id) => this.change(id) ?? []);
  }

  /** Returns an observation's facts with sources, conflicts, anomalies, products, reviews and identifiers. */
  observation(observationId: string): ObservationDetail | undefined {
    return observationDetail(this.state, observationId);
  }

  /**
   * Returns the id of the observation an id names, or `undefined` when none matches. An
   * observation id is returned as it is. A schedule block id (`sb-20190308-0083` or
   * `20190308-0083`) or a capture block id is followed to the observation it was merged into.
   */
  resolveObservationId(id: string): string | undefined {
    if (this.state.observations.has(id)) return id;
    const scheduleBlock = id.startsWith('sb-') ? id.slice(3) : id;
    return this.state.scheduleBlocks.get(scheduleBlock) ?? this.state.captureBlocks.get(id);
  }

  /** Returns a ticket with its links, mentions and the observations they resolve to. */
  ticket(ticketKey: string): TicketView | undefined {
    return ticketView(this.state, ticketKey);
  }

  /** Tickets ordered by key. */
  tickets(): TicketView[] {
    return this.sortedKeys(this.state.tickets).map((key) => toTicketView(this.state, this.state.tickets.get(key)!));
  }

  /** Returns a finding with its symptom, cause, workaround and links. */
  finding(findingId: string): FindingView | undefined {
    return findingView(this.state, findingId);
  }

  /** Findings containing every word of `text` (all findings for an empty text), ordered by id. */
  findings(text = ''): FindingView[] {
    return searchFindings(this.state, text);
  }

  /** Returns a catalogued target by name or alias. */
  target(nameOrAlias: string): (TargetEntry & { readonly recordedAt: string }) | undefined {
    return targetByName(this.state, nameOrAlias);
  }

  /** Catalogued targets ordered by name. */
  targets(): (TargetEntry & { readonly recordedAt: string })[] {
    return this.sortedKeys(this.state.targets).flatMap((name) => this.target(name) ?? []);
  }

  // ---- identity lookups for the command handler ----

  /** Returns the observation stream id (without `observation-`) a capture block id names. */
  observationIdForCaptureBlock(captureBlockId: string): string | undefined {
    return observationIdForCaptureBlock(this.state, captureBlockId);
  }

  /** Returns the observation stream id a schedule block id (without `sb-`) names. */
  observationIdForScheduleBlock(scheduleBlockId: string): string | undefined {
    return observationIdForScheduleBlock(this.state, scheduleBlockId);
  }

  /** Returns the observation starting nearest `startUtc`, within `FACT_TIME_TOLERANCE_SECONDS`. */
  observationIdNearStart(startUtc: string): string | undefined {
    return observationIdNearStart(this.byStart(), startUtc);
  }

  /** Keys of verified features naming `component`; the lookup `commandsAfterChangeDeployed` takes. */
  verifiedFeaturesWithComponent(component: string): readonly string[] {
    return verifiedFeaturesWithComponent(this.state, component);
  }

  /** Start of the earliest observation of the feature's latest passed verification, for the same policy. */
  evidenceStartOf(featureKey: string): string | undefined {
    return evidenceStartOf(this.state, featureKey);
  }

  /** Catalogue tags of a target by name or alias; empty for an uncatalogued name. */
  targetTags(nameOrAlias: string): readonly string[] {
    return catalogueTags(this.state, nameOrAlias);
  }

  private sortedKeys(map: ReadonlyMap<string, unknown>): string[] {
    return [...map.keys()].sort(compareText);
  }

  private fresh(): Derived {
    if (this.derived.version !== this.state.version) {
      this.derived = { version: this.state.version };
    }
    return this.derived;
  }

  /**
   * Returns a report computed once per state version and arguments. Callers get the same object
   * back, so they must not modify it.
   */
  private memo<Result>(name: string, args: unknown, compute: () => Result): Result {
    const derived = this.fresh();
    derived.reports ??= new Map();
    const key = `${name} ${JSON.stringify(args)}`;
    if (!derived.reports.has(key)) {
      // Bound the cache: many distinct arguments (e.g. a clock as `now`) must not grow it without limit.
      if (derived.reports.size >= 32) derived.reports.clear();
      derived.reports.set(key, compute());
    }
    return derived.reports.get(key) as Result;
  }

  private byStart(): ObservationRecord[] {
    const rows = this.rows();
    const derived = this.fresh();
    if (derived.byStart === undefined) {
      const known = rows.filter((row) => !Number.isNaN(row.startMs)).map((row) => row.record);
      derived.byStart = known.reverse();
    }
    return derived.byStart;
  }

  private archivedByStart(): ObservationRecord[] {
    const byStart = this.byStart();
    const derived = this.fresh();
    derived.archivedByStart ??= byStart.filter(isArchived);
    return derived.archivedByStart;
  }

  private loggedByTime(): LoggedTimelineEntry[] {
    const derived = this.fresh();
    derived.loggedByTime ??= [...this.state.timeline].sort((a, b) => Date.parse(a.at) - Date.parse(b.at));
    return derived.loggedByTime;
  }

  private rows(): SearchRow[] {
    const touched = this.state.touchedObservations;
    if (this.searchIndex === undefined) {
      const rows = [...this.state.observations.values()].map(searchRow);
      sortSearchRows(rows);
      this.searchIndex = { rows, byId: new Map(rows.map((row) => [row.record.observationId, row])) };
      touched.clear();
      this.state.tracksTouched = true;
      return rows;
    }
    const { rows, byId } = this.searchIndex;
    let resort = false;
    for (const observationId of touched) {
      const existing = byId.get(observationId);
      const record = this.state.observations.get(observationId);
      if (existing !== undefined) {
        resort = refreshSearchRow(existing) || resort;
      } else if (record !== undefined) {
        const row = searchRow(record);
        rows.push(row);
        byId.set(observationId, row);
        resort = true;
      }
    }
    touched.clear();
    if (resort) sortSearchRows(rows);
    return rows;
  }
}
