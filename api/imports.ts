/**
 * Import sessions: parse a file as a stream, map each record to domain commands, decide them
 * against cached aggregate state, and append in batches. Event ids derive from the source record,
 * so a re-import, or a re-run after a crash midway, appends nothing twice. A record the domain
 * rejects becomes a warning with its file and line, unless the import is strict.
 */
import * as E from 'fp-ts/lib/Either.js';
import { changeNotFound, changeStream, commandsAfterChangeDeployed, featureStream, type ChangeDeployed, type DomainError, type DeliverFeature, type FeatureState, type MarkFeatureSuspect, observationStream, type OnskyCommand, type OnskyEvent } from '../domain/index.js';
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { basename } from 'node:path';
import { describeHolder, withImportLock } from './import-lock.js';
import { parseSourceBatches, type ParsedRecord } from '../importers/index.js';
import { type LineSink, readLinesInto } from '../importers/lines.js';
import { mapperFor } from '../importers/mappers.js';
import { eventIdFor, type ImportCommand } from '../importers/map.js';
import type { PlanFeature } from '../importers/plan.js';
import { planRevision, type PlanRevision } from '../importers/plan.map.js';
import { TargetIndex } from '../importers/catalogue.js';
import type { ImportFormat } from '../importers/detect.js';
import { ImportError, type ImportWarning } from '../importers/types.js';
import type { AppendRequest, AppendSuccess, BatchAppendSuccess, BatchConflict, EventStore, NewEvent, Position, RecordedEvent } from '../store/port.js';
import { CommandHandler, futureTime, type AppendedEvent, type CommandOutcome } from './commands/handler.js';
import { enrichCommand, type StreamReader } from './commands/enrich.js';
import { FeatureStatusIndex } from './feature-index.js';
import { cachedIndexes, emptyIndexes, type FoldedTo, type SessionIndexes } from './import-index-cache.js';
import { routeCommand, schemaVersionOf, type AnyDecider } from './commands/routing.js';
import { checkSchemaVersion } from '../projections/fold.js';
import { ObservationIdentityIndex } from './identity.js';

export interface ImportOptions {
  readonly store: EventStore;
  readonly format: ImportFormat;
  /** File to read (a repository folder for `git`). */
  readonly path: string;
  /** Name to record in provenance and warnings; defaults to `path`. */
  readonly fileLabel?: string;
  /** Recorded as each event's actor; defaults to `importer:<format>`. */
  readonly actor?: string;
  readonly dryRun?: boolean;
  /**
   * Events earlier dry runs of the same command decided, so that a dry run of several files
   * decides each file after the ones before it, as the import would. Default: a new, empty one.
   */
  readonly dryRunLog?: DryRunLog;
  readonly strict?: boolean;
  readonly now?: () => Date;
  /**
   * Runs the domain's policies (a deployment delivers features) on what the import appended;
   * by default a handler over the same store, with feature states folded from the log.
   */
  readonly handler?: CommandHandler;
  /** Called after each flushed batch with the records read so far. */
  readonly onProgress?: (progress: { read: number; appended: number }) => void;
  /** Events per append transaction. Default 1000. */
  readonly batchEvents?: number;
  /**
   * File that keeps the session's indexes between imports (see import-index-cache.ts), usually
   * in the data folder; without it every import folds the log from the start.
   */
  readonly indexCacheFile?: string;
  /**
   * Lock file in the data folder that lets one import at a time write to the store (see
   * import-lock.ts). A dry run does not take it. `onLockWait` runs once when another import owns it.
   */
  readonly lockFile?: string;
  readonly onLockWait?: (holder: string) => void;
  /** Hears problems that slow imports down without failing this one, e.g. a cache that cannot be written. */
  readonly onNotice?: (message: string) => void;
}

export interface ImportSummary {
  readonly format: ImportFormat;
  readonly file: string;
  readonly dryRun: boolean;
  /** Records parsed from the file. */
  readonly read: number;
  /** Events appended (or, in a dry run, that would be). */
  readonly appended: number;
  /** Records whose facts the log already held, so they added nothing. */
  readonly duplicates: number;
  /**
   * Records that carry nothing onsky records: an obslog's track and scan lines feed the session
   * summary, for example, and a listing's rows without a capture block id name no observation.
   */
  readonly untracked: number;
  readonly warnings: readonly ImportWarning[];
  /** Events appended (or, in a dry run, that would be) by type, deployment reactions included. */
  readonly eventTypes: Readonly<Record<string, number>>;
  /** Features the deployment policy delivered or marked suspect (or, in a dry run, would), in file order. */
  readonly reactions: readonly DeploymentReaction[];
}

/** A feature a deployment delivered or marked suspect. */
export interface DeploymentReaction {
  /** Line of the deployment in the file. */
  readonly line: number;
  readonly changeId: string;
  readonly featureKey: string;
  readonly action: 'delivered' | 'marked suspect';
}

/** Aggregate states kept between batches; an evicted stream is read again when needed. */
const MAX_CACHED_STREAMS = 20_000;

const OBSERVATION_PREFIX = observationStream('');

/** A command decided into pending events, with the line of its record. */
interface BufferedCommand {
  readonly item: ImportCommand;
  readonly line: number;
}

interface CachedStream {
  readonly decider: AnyDecider;
  state: unknown;
  /** Revision of the last stored event, -1 for a stream that does not exist yet. */
  storedRevision: number;
  pending: NewEvent[];
  /** Events handed to the store in the append in flight, not yet acknowledged. */
  writing: NewEvent[];
  /**
   * Events a dry run decided and did not store. Later commands of the file, and the facts a
   * verification reads, see them as if they were stored, so the dry run decides as the import would.
   * NOTE: a dry run therefore keeps every event it decides in memory. A dry run of a file with
   * millions of records needs memory in proportion, where the import itself does not.
   */
  readonly simulated: NewEvent[];
  /** Ids of the events stored or pending in the stream, to recognise a record imported before. */
  readonly eventIds: Set<string>;
  /**
   * Digest and record time of the source record behind the stream's events, by `sourceKey`, for
   * the formats whose edited records are caught (`EDIT_CHECKED_IMPORTERS`). Made on first use, as
   * is `deployments`: a session caches up to `MAX_CACHED_STREAMS` streams, most of which need neither.
   */
  sources?: Map<string, { readonly digest: string; readonly recordedAt?: string }>;
  /** Data of the stored ChangeDeployed events by event id, to run the policy again on a re-import. */
  deployments?: Map<string, unknown>;
}

/**
 * Importers whose record keys name one hand-written record, so that the same key with another
 * digest is that record edited after its import. Other keyed formats see the same key change
 * legitimately: a Jira issue updated between exports, a git commit whose refs moved, a catalogue
 * that corrects a target, an S3 bucket with more products.
 */
const EDIT_CHECKED_IMPORTERS: ReadonlySet<string> = new Set<ImportFormat>(['journal']);

/** Journal entry kinds by the command an entry maps to, for warnings in the journal's own words. */
const JOURNAL_ENTRY_KINDS: Readonly<Record<string, string>> = {
  RecordChange: 'change',
  DeployChange: 'deploy',
  DeliverFeature: 'deliver',
  RecordVerification: 'verify',
  ReviewObservation: 'review',
  ClearSuspicion: 'clear',
};

/**
 * Formats read whole and written by hand. A strict import of one is decided in a dry run first,
 * so a problem at any entry stops it before anything is stored. A streamed format stops at the
 * first problem, and the records before it stay stored.
 */
const DECIDED_WHOLE_WHEN_STRICT: ReadonlySet<ImportFormat> = new Set<ImportFormat>(['journal', 'plan']);

/** Events decided by dry runs, in order, shared by the dry runs of one command. */
export class DryRunLog {
  private readonly entries: { readonly stream: string; readonly event: NewEvent }[] = [];
  private readonly byStream = new Map<string, NewEvent[]>();

  add(stream: string, event: NewEvent): void {
    this.entries.push({ stream, event });
    const events = this.byStream.get(stream);
    if (events === undefined) this.byStream.set(stream, [event]);
    else events.push(event);
  }

  /** Every decided event with its stream, in the order decided. */
  get events(): readonly { readonly stream: string; readonly event: NewEvent }[] {
    return this.entries;
  }

  /** Returns the decided events of one stream, in order. */
  eventsOf(stream: string): readonly NewEvent[] {
    return this.byStream.get(stream) ?? [];
  }
}

/** Imports one file; see the module comment for the guarantees. */
export async function importFile(options: ImportOptions): Promise<ImportSummary> {
  if (options.lockFile === undefined || options.dryRun === true) return importUnlocked(options);
  const importing = `${options.format} ${options.fileLabel ?? options.path}`;
  return withImportLock(options.lockFile, importing, (holder) => options.onLockWait?.(describeHolder(holder)), () => importUnlocked(options));
}

async function importUnlocked(options: ImportOptions): Promise<ImportSummary> {
  if (options.strict === true && options.dryRun !== true && DECIDED_WHOLE_WHEN_STRICT.has(options.format)) {
    const { onProgress: _progress, ...rest } = options;
    await (await ImportSession.open({ ...rest, dryRun: true, dryRunLog: new DryRunLog() })).run();
  }
  const session = await ImportSession.open(options);
  return session.run();
}

class ImportSession {
  private readonly streams = new Map<string, CachedStream>();
  private readonly warnings: ImportWarning[] = [];
  private readonly eventTypes: Record<string, number> = {};
  private readonly reactions: DeploymentReaction[] = [];
  private readonly batchLimit: number;
  private buffered: BufferedCommand[] = [];
  /** The append handed to the store and not yet settled, with the commands whose events it holds. */
  private inFlight: { readonly requests: AppendRequest[]; readonly buffered: BufferedCommand[]; readonly outcome: Promise<{ result: E.Either<BatchConflict, BatchAppendSuccess> } | { error: unknown }> } | undefined;
  /** Streams with pending events, in the order their first pending event was decided. */
  private pendingStreams: string[] = [];
  /** Conflicting appends by stream; the import gives up when one stream has five. */
  private readonly conflicts = new Map<string, number>();
  private pendingEvents = 0;
  private read = 0;
  private appended = 0;
  private duplicates = 0;
  private untracked = 0;
  private lastPosition: Position | undefined;
  /** Lines of the records whose deployments this session decided or met again, by event id. */
  private readonly deploymentLines = new Map<string, number>();

  private constructor(
    private readonly options: ImportOptions,
    private readonly identity: ObservationIdentityIndex,
    private readonly targets: TargetIndex,
    private readonly features: FeatureStatusIndex,
  ) {
    this.batchLimit = options.batchEvents ?? 1000;
    this.dryRunLog = options.dryRun === true ? (options.dryRunLog ?? new DryRunLog()) : undefined;
  }

  /** The dry-run log this session reads and adds to; `undefined` unless this is a dry run. */
  private readonly dryRunLog: DryRunLog | undefined;

  static async open(options: ImportOptions): Promise<ImportSession> {
    const indexes = await indexesFromLog(options.store, options.indexCacheFile, options.onNotice);
    if (options.dryRun === true) {
      for (const { stream, event } of options.dryRunLog?.events ?? []) indexEvent(indexes, stream, event as unknown as OnskyEvent);
    }
    return new ImportSession(options, indexes.identity, indexes.targets, indexes.features);
  }

  /** Events this dry run decided, in order, added to the dry-run log when the file is done. */
  private readonly decidedInOrder: { readonly stream: string; readonly event: NewEvent }[] = [];

  async run(): Promise<ImportSummary> {
    const file = this.options.fileLabel ?? this.options.path;
    let regularFile: boolean;
    let size: number;
    let modified: number;
    try {
      const info = await stat(this.options.path);
      regularFile = info.isFile();
      size = info.size;
      modified = info.mtimeMs;
      await rejectBinary(this.options.path, file);
    } catch (error) {
      throw unreadableFile(error, file);
    }
    // A pipe or a device reports no size, however much it then delivers.
    if (regularFile && size === 0) this.skipWithWarning(file, 1, 'the file is empty, so nothing was imported; check that you named the right file');
    const mapper = mapperFor(
      this.options.format,
      { actor: this.actor, importedAt: (this.options.now?.() ?? new Date()).toISOString(), targets: this.targets, warn: (line, message) => this.warnMapped(file, line, message) },
      { featureKeys: this.features.keys() },
    );

    const planKeys = new Set<string>();
    let parseWarnings = 0;
    for await (const batch of parseSourceBatches(this.options.format, this.options.path, { strict: this.options.strict ?? false })) {
      for (const parsed of batch) {
        if (parsed.kind === 'warning') {
          this.warnings.push({ ...parsed.warning, file });
          parseWarnings += 1;
          continue;
        }
        this.read += 1;
        if (this.options.format === 'plan') planKeys.add((parsed.record as PlanFeature).key);
        const line = parsed.locator.line ?? 0;
        const commands = mapper(parsed.locator.file === file ? parsed : relabelled(parsed, file));
        // A record that maps to no command (a log line onsky does not track) is no duplicate, and
        // neither is one whose command was rejected or skipped with a warning.
        if (commands.length === 0) {
          this.untracked += 1;
          continue;
        }
        const decided = this.decideAll(commands, line, file);
        const { added, skipped } = decided instanceof Promise ? await decided : decided;
        if (added === 0 && skipped === 0) this.duplicates += 1;
        if (this.pendingEvents >= this.batchLimit) await this.flushAhead();
      }
    }
    await this.flush();
    if (regularFile) await this.warnIfChanged(file, size, modified);
    for (const { stream, event } of this.decidedInOrder) this.dryRunLog?.add(stream, event);
    // An invalid entry may be one of the features that seem missing, so such a plan is not checked.
    if (this.options.format === 'plan' && parseWarnings === 0) await this.warnOfMissingFeatures(file, planKeys);

    return {
      format: this.options.format,
      file,
      dryRun: this.options.dryRun ?? false,
      read: this.read,
      appended: this.appended,
      duplicates: this.duplicates,
      untracked: this.untracked,
      warnings: this.warnings,
      eventTypes: this.eventTypes,
      reactions: this.reactions,
    };
  }

  /**
   * Warns about live features that an earlier import of a plan with this file name proposed and
   * that this plan no longer lists: dropped or renamed entries. They are not withdrawn, because a
   * missing entry does not say why it went; the warning does not fail a strict import either.
   */
  private async warnOfMissingFeatures(file: string, planKeys: ReadonlySet<string>): Promise<void> {
    const missing: string[] = [];
    for (const featureKey of this.features.keys()) {
      if (planKeys.has(featureKey) || this.features.statusOf(featureKey) === 'withdrawn') continue;
      let proposal: RecordedEvent | undefined;
      for await (const event of this.options.store.readStream(featureStream(featureKey), { maxCount: 1 })) proposal = event;
      const source = proposal?.metadata.source;
      if (source?.importer === 'plan' && basename(source.file) === basename(file)) missing.push(featureKey);
    }
    if (missing.length === 0) return;

    const names = missing.length <= MISSING_FEATURES_SHOWN ? joinWords(missing) : `${missing.slice(0, MISSING_FEATURES_SHOWN).join(', ')} and ${missing.length - MISSING_FEATURES_SHOWN} more`;
    const message =
      missing.length === 1
        ? `feature ${names} was proposed by an earlier import of ${basename(file)} but is not in it now; if dropped or renamed, withdraw it (withdrawFeature), otherwise nothing changes`
        : `features ${names} were proposed by an earlier import of ${basename(file)} but are not in it now; if dropped or renamed, withdraw them (withdrawFeature), otherwise nothing changes`;
    this.warnings.push({ file, line: 1, message });
  }

  /**
   * Warns when the file changed while it was read (a log still being written, or replaced): what
   * was read is stored, but it may end mid-line or miss what came later. It is a warning even in
   * a strict import, because the records read are stored by then.
   */
  private async warnIfChanged(file: string, size: number, modified: number): Promise<void> {
    const now = await stat(this.options.path).catch(() => undefined);
    if (now !== undefined && now.size === size && now.mtimeMs === modified) return;
    let change = `went from ${size} to ${now?.size} bytes`;
    if (now === undefined) change = 'was removed';
    else if (now.size === size) change = 'was rewritten';
    this.warnings.push({ file, line: 1, message: `${file} changed while it was being imported (it ${change}); what was read is stored, so import it again once it is complete` });
  }

  /** Records a mapper's warning, or raises it in a strict import. */
  private warnMapped(file: string, line: number, message: string): void {
    if (this.options.strict === true) throw new ImportError(file, line, message);
    this.warnings.push({ file, line, message });
  }

  private get actor(): string {
    return this.options.actor ?? `importer:${this.options.format}`;
  }

  /**
   * Decides a record's commands; returns how many new events they produced and how many
   * commands were skipped with a warning. Returns without a promise while no command has to wait
   * on the log, which is the case for most records: an async call for each of millions of records
   * showed in import profiles.
   */
  private decideAll(items: readonly ImportCommand[], line: number, file: string): Tally | Promise<Tally> {
    const tally: Tally = { added: 0, skipped: 0 };
    for (let index = 0; index < items.length; index++) {
      const item = items[index]!;
      const routed = this.reroute(item);
      if (waitsOnLog(routed.command) || !this.loadWithoutReading(routed.stream, routed.command)) return this.decideWaiting(items.slice(index), line, file, tally);
      if (this.settledBeforeDeciding(routed, line, file, tally)) continue;
      this.decideChecked(item, routed, futureTime(routed.command, this.options.now?.() ?? new Date()), line, file, tally);
    }
    return tally;
  }

  /** Decides commands as `decideAll` does, for those that read the log or wait for earlier appends. */
  private async decideWaiting(items: readonly ImportCommand[], line: number, file: string, tally: Tally): Promise<Tally> {
    for (const item of items) {
      let routed = this.reroute(item);
      // A verification's evidence and delivering deployment are read from the log, so what this
      // session decided before it must be stored first.
      if (routed.command.type === 'RecordVerification') await this.flush();
      const loading = this.load(routed.stream, routed.command);
      if (loading !== undefined) await loading;
      if (this.settledBeforeDeciding(routed, line, file, tally)) continue;
      if (routed.command.type === 'RecordVerification') routed = await this.enrich(routed);
      const undeployed = undeployedDelivery(routed, this.streams.get(routed.stream)?.state);
      if (undeployed !== undefined) {
        this.skipWithWarning(file, line, rejectionMessage(item, undeployed));
        tally.skipped += 1;
        continue;
      }
      const unfit = futureTime(routed.command, this.options.now?.() ?? new Date()) ?? (namesChange(routed.command) ? await this.unknownChange(routed) : undefined);
      const outcome = this.decideChecked(item, routed, unfit, line, file, tally);
      if (outcome !== undefined && routed.command.type === 'DeployChange') {
        const deploymentId = eventIdFor(routed.commandId, 0);
        this.deploymentLines.set(deploymentId, line);
        // The deployment policy marks suspect what is verified when it runs. Running it right
        // after the deployment keeps a verification that a file lists later from being marked
        // suspect by an earlier deployment.
        if (outcome > 0 && this.options.dryRun === true) await this.simulatePolicy(routed, deploymentId, line, file);
        else if (outcome > 0) await this.flush();
        else await this.replayPolicy(routed, deploymentId, line, file);
      }
    }
    return tally;
  }

  /**
   * Settles a command before it is decided where the cached stream determines the outcome: an
   * entry edited since its import is skipped, and a plan entry for a proposed feature revises it.
   * Returns true when it did.
   */
  private settledBeforeDeciding(routed: ImportCommand, line: number, file: string, tally: Tally): boolean {
    const edited = this.editedSinceImport(routed);
    if (edited !== undefined) {
      this.skipWithWarning(file, line, edited);
      tally.skipped += 1;
      return true;
    }
    const revision = this.revisionOf(routed);
    if (revision === undefined) return false;
    const revised = this.revise(revision, file, line);
    tally.added += revised.added;
    tally.skipped += revised.skipped;
    return true;
  }

  /**
   * Decides a checked command and buffers its events, or skips it with the reason it is unfit or
   * rejected. Returns the number of events it added, `undefined` when it was skipped.
   */
  private decideChecked(item: ImportCommand, routed: ImportCommand, unfit: DomainError | undefined, line: number, file: string, tally: Tally): number | undefined {
    const outcome = unfit === undefined ? this.decideOne(routed) : unfit.message;
    if (typeof outcome === 'string') {
      this.skipWithWarning(file, line, rejectionMessage(item, outcome));
      tally.skipped += 1;
      return undefined;
    }
    this.buffered.push({ item: routed, line });
    tally.added += outcome;
    return outcome;
  }

  /**
   * Returns ChangeNotFound when a delivery or a suspicion names a change that neither the log nor
   * this import (earlier lines, earlier files of a dry run) has recorded, as the API's handler does.
   */
  private async unknownChange(item: ImportCommand): Promise<DomainError | undefined> {
    const command = item.command;
    if (!namesChange(command)) return undefined;
    const changeId = command.data.changeId;
    if (changeId === undefined || changeId.trim() === '') return undefined;
    const stream = changeStream(changeId);
    const cached = this.streams.get(stream);
    if (cached !== undefined && (cached.storedRevision >= 0 || cached.pending.length > 0 || cached.writing.length > 0 || cached.simulated.length > 0)) return undefined;
    if ((this.dryRunLog?.eventsOf(stream).length ?? 0) > 0) return undefined;
    for await (const _event of this.options.store.readStream(stream, { maxCount: 1 })) return undefined;
    return changeNotFound(changeId);
  }

  /** Records a warning for a command left undecided, or raises it with its file and line in a strict import. */
  private skipWithWarning(file: string, line: number, message: string): void {
    if (this.options.strict === true) throw new ImportError(file, line, `${file}:${line}: ${message}`);
    this.warnings.push({ file, line, message });
  }

  /**
   * Returns a warning when the stream contains events of the same record key imported from a record
   * with another digest: the entry was edited after its import. Deciding it again would store a
   * second fact (a second deployment) beside the first, so it is skipped.
   */
  private editedSinceImport(item: ImportCommand): string | undefined {
    const { importer, locator, digest } = item.provenance;
    // The key leaves out the file, so a renamed journal is still checked. It includes the entry's
    // time, so an entry moved in time is a new entry rather than an edit of the old one.
    if (!EDIT_CHECKED_IMPORTERS.has(importer) || isLineNumber(locator)) return undefined;
    const earlier = this.streams.get(item.stream)?.sources?.get(sourceKey(importer, locator));
    if (earlier === undefined || earlier.digest === digest) return undefined;
    const when = earlier.recordedAt === undefined ? '' : ` on ${earlier.recordedAt.slice(0, 10)}`;
    return `entry ${locator} changed since it was imported${when}; the log keeps what was imported, so add a new entry to record a correction`;
  }

  /** Returns the revision an edited plan entry makes to a feature in the log; undefined for any other command. */
  private revisionOf(item: ImportCommand): PlanRevision | undefined {
    const cached = this.streams.get(item.stream);
    // Only a plan's proposals revise; the clock is read for those alone.
    if (cached === undefined || item.command.type !== 'ProposeFeature') return undefined;
    // The stream's ids are those of every stored, simulated and pending event, so their count is its length.
    return planRevision(item, cached.state as FeatureState, cached.eventIds.size, (this.options.now?.() ?? new Date()).toISOString());
  }

  /** Decides a plan entry's revision commands, and warns about changed fields no command revises. */
  private revise(revision: PlanRevision, file: string, line: number): { added: number; skipped: number } {
    let added = 0;
    let skipped = 0;
    const applied: ImportCommand[] = [];
    for (const item of revision.items) {
      const outcome = this.decideOne(item);
      if (typeof outcome === 'string') {
        this.skipWithWarning(file, line, rejectionMessage(item, outcome));
        skipped += 1;
        continue;
      }
      this.buffered.push({ item, line });
      applied.push(item);
      added += outcome;
    }
    if (revision.ignoredOnWithdrawn.length > 0) {
      this.skipWithWarning(file, line, `feature ${revision.featureKey} is withdrawn, so the plan's new ${joinWords(revision.ignoredOnWithdrawn)} were not recorded; propose it again under a new key to track it`);
      skipped += 1;
    } else if (revision.fixedChanged.length > 0) {
      this.skipWithWarning(file, line, fixedFieldsMessage(revision, applied));
      skipped += 1;
    }
    const dates = revision.proposedAtChanged;
    if (dates !== null) {
      this.skipWithWarning(
        file,
        line,
        `feature ${revision.featureKey}: the plan dates its proposal ${dates.planned}, but the log records it proposed at ${dates.recorded}, and a proposal keeps its first date; set proposed: to ${dates.recorded.slice(0, 10)} in the plan, or withdraw the feature and propose it again under a new key`,
      );
      skipped += 1;
    }
    return { added, skipped };
  }

  /** Adds the cited observations' facts and the delivering deployment, as the API's handler does. */
  private async enrich(item: ImportCommand): Promise<ImportCommand> {
    if (item.command.type !== 'RecordVerification') return item;
    const observationIds = item.command.data.observationIds.map((id) => this.identity.resolve(idKeys(id)) ?? id);
    const command = { ...item.command, data: { ...item.command.data, observationIds } };
    const state = this.streams.get(item.stream)?.state;
    const enriched = await enrichCommand(command, state, this.view, {
      tagsOf: (name) => [...(this.targets.tagsOf(name) ?? [])],
    });
    return { ...item, command: enriched };
  }

  /** The log as this session has decided it: stored events, then those decided but not stored. */
  private readonly view: StreamReader = { readStream: (stream) => this.readDecided(stream) };

  private async *readDecided(stream: string): AsyncGenerator<RecordedEvent> {
    yield* this.options.store.readStream(stream);
    const cached = this.streams.get(stream);
    const decided = cached === undefined ? (this.dryRunLog?.eventsOf(stream) ?? []) : [...cached.simulated, ...cached.pending];
    // Enrichment folds only types and data, which a decided event has as a stored one does.
    for (const event of decided) yield event as unknown as RecordedEvent;
  }

  /** Sends observation commands to the stream the identity index holds for their keys. */
  private reroute(item: ImportCommand): ImportCommand {
    const command = item.command;
    if (!('observationId' in command.data)) return item;
    const data = command.data as { observationId: string; facts?: { captureBlockId?: string; scheduleBlockId?: string; startUtc?: string } };
    const mapped = data.observationId;
    const facts = data.facts;
    // Built field by field: spreading three objects per record showed in import profiles.
    const keys: KeysOfRecord = facts?.captureBlockId === undefined ? idKeys(mapped) : { captureBlockId: facts.captureBlockId };
    if (facts?.scheduleBlockId !== undefined) keys.scheduleBlockId = facts.scheduleBlockId;
    if (facts?.startUtc !== undefined) keys.startUtc = facts.startUtc;
    const known = this.identity.resolve(keys);
    if (known === undefined || known === mapped) return item;
    const rerouted = { ...command, data: { ...command.data, observationId: known } } as OnskyCommand;
    return { ...item, stream: `observation-${known}`, command: rerouted };
  }

  /** Decides one command against cached state; returns the new event count or the domain's message. */
  private decideOne(item: ImportCommand): number | string {
    const route = routeCommand(item.command);
    if (E.isLeft(route)) return route.left.message;
    const cached = this.streams.get(route.right.stream);
    if (cached === undefined) return `stream ${route.right.stream} could not be loaded`;
    // A record imported before gets the same event ids, so its first event is in the stream.
    // Checked before deciding, because some commands (a review) may rightly be repeated, and
    // the domain's "already recorded" for the others is a duplicate, not a warning.
    const firstId = eventIdFor(item.commandId, 0);
    if (cached.eventIds.has(firstId)) return 0;
    const decision = cached.decider.decide(item.command, cached.state);
    if (E.isLeft(decision)) return decision.left.message;

    decision.right.forEach((event, index) => {
      cached.state = cached.decider.evolve(cached.state, event);
      const newEvent = this.toNewEvent(item, event, index === 0 ? firstId : eventIdFor(item.commandId, index));
      if (cached.pending.length === 0) this.pendingStreams.push(route.right.stream);
      cached.pending.push(newEvent);
      if (this.options.dryRun === true) this.decidedInOrder.push({ stream: route.right.stream, event: newEvent });
      cached.eventIds.add(newEvent.id);
      if (EDIT_CHECKED_IMPORTERS.has(item.provenance.importer)) (cached.sources ??= new Map()).set(sourceKey(item.provenance.importer, item.provenance.locator), { digest: item.provenance.digest });
      this.identity.apply(event);
      this.features.apply(event);
      this.eventTypes[event.type] = (this.eventTypes[event.type] ?? 0) + 1;
    });
    this.pendingEvents += decision.right.length;
    return decision.right.length;
  }

  private toNewEvent(item: ImportCommand, event: OnskyEvent, id: string): NewEvent {
    return {
      id,
      type: event.type,
      schemaVersion: schemaVersionOf(event.type),
      data: event.data,
      metadata: {
        actor: this.actor,
        correlationId: item.commandId,
        causationId: item.commandId,
        source: { importer: item.provenance.importer, file: item.provenance.file, locator: item.provenance.locator, digest: item.provenance.digest },
      },
    };
  }

  /**
   * Appends every pending event and waits until all are stored. On another writer's events in a
   * stream, reloads the streams concerned and decides their commands again, up to five times a stream.
   */
  private async flush(): Promise<void> {
    for (;;) {
      await this.settle();
      if (!this.startAppend()) return;
    }
  }

  /**
   * Hands the pending events to the store without waiting for them, once the append before them
   * has settled. A store that writes on another thread then stores one batch while this session
   * decides the next.
   */
  private async flushAhead(): Promise<void> {
    await this.settle();
    this.startAppend();
  }

  /** Starts the append of every pending event, in one transaction; returns false when nothing was pending. */
  private startAppend(): boolean {
    const requests: AppendRequest[] = [];
    const streams = this.pendingStreams;
    this.pendingStreams = [];
    for (const stream of streams) {
      const cached = this.streams.get(stream);
      if (cached === undefined || cached.pending.length === 0) continue;
      requests.push({ stream, events: cached.pending, expectedRevision: cached.storedRevision < 0 ? 'no-stream' : cached.storedRevision });
      cached.writing = cached.pending;
      cached.pending = [];
    }
    const buffered = this.buffered;
    this.buffered = [];
    this.pendingEvents = 0;
    if (requests.length === 0 || this.options.dryRun === true) {
      this.commitWritten(requests, undefined);
      return false;
    }
    // The outcome is caught at once: a failure must wait for `settle` without being reported as unhandled.
    const outcome = this.options.store.appendBatch(requests).then(
      (result) => ({ result }),
      (error: unknown) => ({ error }),
    );
    this.inFlight = { requests, buffered, outcome };
    return true;
  }

  /**
   * Waits for the append in flight and books it. On a conflict, decides its commands again, and
   * those decided since, on streams read afresh; they are pending again afterwards.
   */
  private async settle(): Promise<void> {
    const inFlight = this.inFlight;
    if (inFlight === undefined) return;
    this.inFlight = undefined;
    const outcome = await inFlight.outcome;
    if ('error' in outcome) throw outcome.error;
    const { result } = outcome;
    if (E.isRight(result)) {
      this.commitWritten(inFlight.requests, result.right.results);
      this.lastPosition = result.right.results.at(-1)?.position ?? this.lastPosition;
      await this.runPolicies(inFlight.requests);
      this.options.onProgress?.({ read: this.read, appended: this.appended });
      return;
    }
    // Each conflict reads its stream afresh, so a writer that keeps creating streams just ahead of
    // the import costs one batch decided again each time. Only one stream that keeps changing stops it.
    const conflicts = (this.conflicts.get(result.left.stream) ?? 0) + 1;
    this.conflicts.set(result.left.stream, conflicts);
    if (conflicts >= 5) {
      throw new ImportError(this.options.fileLabel ?? this.options.path, undefined, `another writer kept changing stream "${result.left.stream}" during the import; run the import again`);
    }
    await this.redecide([...inFlight.buffered, ...this.buffered]);
  }

  /** Books events the store acknowledged, or in a dry run those it would have been given. */
  private commitWritten(requests: readonly AppendRequest[], results: readonly AppendSuccess[] | undefined): void {
    requests.forEach((request, index) => {
      // The store does not count events it already held, which a stale identity index can send again.
      this.appended += results?.[index]?.appended ?? request.events.length;
      const cached = this.streams.get(request.stream);
      if (cached === undefined) return;
      if (results === undefined) cached.simulated.push(...cached.writing);
      cached.storedRevision = results?.[index]?.nextExpectedRevision ?? cached.storedRevision + cached.writing.length;
      cached.writing = [];
    });
    this.evictIdleStreams();
  }

  /** Keeps memory flat on long files: past the limit, streams with nothing pending are dropped. */
  private evictIdleStreams(): void {
    if (this.streams.size <= MAX_CACHED_STREAMS) return;
    // A dry run keeps every stream it added to, because the store does not contain those events.
    for (const [stream, cached] of this.streams) {
      if (cached.pending.length === 0 && cached.writing.length === 0 && cached.simulated.length === 0) this.streams.delete(stream);
    }
  }

  /** Drops the cached state of the commands' streams and decides the commands again. */
  private async redecide(commands: readonly BufferedCommand[]): Promise<void> {
    for (const { item } of commands) this.streams.delete(item.stream);
    this.buffered = [];
    this.pendingStreams = [];
    this.pendingEvents = 0;
    for (const { item, line } of commands) {
      await this.decideAll([item], line, this.options.fileLabel ?? this.options.path);
    }
  }

  /**
   * Caches a stream's state for deciding. Returns a promise only when the store has to be read, so
   * that a record for a new observation is decided without waiting on the event loop.
   */
  private load(stream: string, command: OnskyCommand): Promise<void> | undefined {
    if (this.loadWithoutReading(stream, command)) return undefined;
    const cached = newCachedStream(command);
    return cached === undefined ? undefined : this.readStored(stream, cached);
  }

  /**
   * Caches a stream that needs no store read and returns true; returns false for one that does.
   * A stream cached already needs none, and neither does an observation the identity index has
   * never seen, which saves a store query per new observation. Had another writer created it since
   * the index was folded, the append's expected revision fails. The session has taught the index
   * the observation by then, so deciding again reads the stream.
   */
  private loadWithoutReading(stream: string, command: OnskyCommand): boolean {
    if (this.streams.has(stream)) return true;
    if (!stream.startsWith(OBSERVATION_PREFIX) || this.identity.has(stream.slice(OBSERVATION_PREFIX.length))) return false;
    // A command no decider takes has nothing to load; deciding it reports why.
    const cached = newCachedStream(command);
    if (cached !== undefined) this.cache(stream, cached);
    return true;
  }

  private async readStored(stream: string, cached: CachedStream): Promise<void> {
    for await (const event of this.options.store.readStream(stream)) {
      checkSchemaVersion(event);
      remember(cached, event);
      cached.storedRevision = event.revision;
    }
    this.cache(stream, cached);
  }

  /** Adds what earlier files of this dry run decided in the stream, as if stored, and caches it. */
  private cache(stream: string, cached: CachedStream): void {
    for (const event of this.dryRunLog?.eventsOf(stream) ?? []) {
      remember(cached, event);
      cached.simulated.push(event);
    }
    this.streams.set(stream, cached);
  }

  /**
   * Delivers, for a deployment imported before, the features its change names that are still
   * only proposed: when that import came before the plan, its policy found nothing to deliver.
   * Only deliveries are caught up. Suspicions depend on what was verified when the deployment
   * was first imported, and a feature delivered since must not be delivered again by an older
   * change. The commands get the ids the policy gives them, so a third import adds nothing.
   */
  private async replayPolicy(item: ImportCommand, deploymentId: string, line: number, file: string): Promise<void> {
    const data = this.streams.get(item.stream)?.deployments?.get(deploymentId) as ChangeDeployed['data'] | undefined;
    if (data === undefined) return;
    const proposed = data.deliversFeatures.filter((featureKey) => this.features.statusOf(featureKey) === 'proposed');
    if (proposed.length === 0) return;
    if (this.options.dryRun === true) {
      const deliveries = proposed.map((featureKey): DeliverFeature => ({ type: 'DeliverFeature', data: { featureKey, changeId: data.changeId, deliveredAt: data.deployedAt } }));
      await this.decideReactions(item, deploymentId, data.changeId, deliveries, line, file);
      return;
    }
    await this.flush();
    const handler = this.options.handler ?? new CommandHandler({ store: this.options.store, verifiedFeatures: this.features });
    for (const featureKey of proposed) {
      const command: DeliverFeature = { type: 'DeliverFeature', data: { featureKey, changeId: data.changeId, deliveredAt: data.deployedAt } };
      // The deployment's own correlation id: its command id, which a re-import repeats.
      const outcome = await handler.handle(command, { actor: this.actor, correlationId: item.commandId, causationId: deploymentId, idSeed: `policy:${deploymentId}` });
      if (E.isLeft(outcome)) continue;
      this.streams.delete(outcome.right.stream);
      for (const event of outcome.right.events) {
        this.features.apply({ type: event.type, data: event.data } as OnskyEvent);
        this.countAppended(event.type);
        this.noteReaction(event.type, event.data, line, data.changeId);
      }
    }
  }

  /**
   * Decides in memory what the deployment policy would add after a deployment in a dry run:
   * deliveries and suspicions, against the features as this file has left them so far. A real
   * import runs the policy on the stored deployment instead (`applyPolicy`), with the same rules.
   */
  private async simulatePolicy(item: ImportCommand, deploymentId: string, line: number, file: string): Promise<void> {
    const deployed = this.streams.get(item.stream)?.pending.find((event) => event.id === deploymentId);
    if (deployed === undefined || deployed.type !== 'ChangeDeployed') return;
    const data = deployed.data as ChangeDeployed['data'];
    const reactions = commandsAfterChangeDeployed({ type: 'ChangeDeployed', data }, this.features);
    await this.decideReactions(item, deploymentId, data.changeId, reactions, line, file);
  }

  /** Decides policy commands against this session's cached streams, as a dry run does for every command. */
  private async decideReactions(item: ImportCommand, deploymentId: string, changeId: string, reactions: readonly (DeliverFeature | MarkFeatureSuspect)[], line: number, file: string): Promise<void> {
    for (const [index, reaction] of reactions.entries()) {
      const route = routeCommand(reaction);
      if (E.isLeft(route)) continue;
      const loading = this.load(route.right.stream, reaction);
      if (loading !== undefined) await loading;
      const outcome = this.decideOne({ stream: route.right.stream, commandId: `policy:${deploymentId}:${index}`, command: reaction, provenance: item.provenance });
      if (typeof outcome === 'number' && outcome > 0) {
        this.reactions.push({ line, changeId, featureKey: reaction.data.featureKey, action: reaction.type === 'DeliverFeature' ? 'delivered' : 'marked suspect' });
      }
      if (typeof outcome === 'string') {
        this.warnings.push({ file, line, message: `the deployment of change ${changeId} could not update a feature: ${outcome}; import the plan that proposes it, then import this file again` });
      }
    }
  }

  /** Lists a policy event that delivered a feature or marked it suspect. */
  private noteReaction(type: string, data: unknown, line: number, changeId: string): void {
    const featureKey = (data as { featureKey?: string }).featureKey;
    if (featureKey === undefined) return;
    if (type === 'FeatureDelivered') this.reactions.push({ line, changeId, featureKey, action: 'delivered' });
    if (type === 'FeatureMarkedSuspect') this.reactions.push({ line, changeId, featureKey, action: 'marked suspect' });
  }

  /** Counts an event the policy appended, in the total and by type, as a dry run counts it. */
  private countAppended(type: string): void {
    this.appended += 1;
    this.eventTypes[type] = (this.eventTypes[type] ?? 0) + 1;
  }

  private async runPolicies(requests: readonly AppendRequest[]): Promise<void> {
    const deployed = requests.flatMap((request) => request.events.filter((event) => event.type === 'ChangeDeployed'));
    if (deployed.length === 0 || this.lastPosition === undefined) return;
    await this.applyPolicy(
      deployed.map((event) => ({ id: event.id, type: event.type as OnskyEvent['type'], data: event.data as OnskyEvent['data'], correlationId: event.metadata.correlationId })),
      this.lastPosition,
    );
  }

  /**
   * Runs the deployment policy on stored deployments; a reaction the domain rejects becomes a
   * warning on the deployment's line. Reactions carry the deployment's correlation id, so that an
   * import run twice into two stores writes the same events.
   */
  private async applyPolicy(deployed: ReadonlyArray<AppendedEvent & { readonly correlationId?: string }>, position: Position): Promise<void> {
    const handler = this.options.handler ?? new CommandHandler({ store: this.options.store, verifiedFeatures: this.features });
    const file = this.options.fileLabel ?? this.options.path;
    for (const event of deployed) {
      const context = event.correlationId === undefined ? { actor: this.actor } : { actor: this.actor, correlationId: event.correlationId };
      const { followUps, followUpErrors } = await handler.runPolicies([event], position, context);
      const changeId = (event.data as { changeId?: string }).changeId ?? event.id;
      for (const error of followUpErrors) {
        this.warnings.push({
          file,
          line: this.deploymentLines.get(event.id) ?? 0,
          message: `the deployment of change ${changeId} could not update a feature: ${error.message}; import the plan that proposes it, then import this file again`,
        });
      }
      // The policy wrote to feature streams behind this session's cache: fold what it wrote and
      // forget those streams so the next command reads them afresh.
      for (const outcome of flatten(followUps)) {
        this.streams.delete(outcome.stream);
        for (const followUp of outcome.events) {
          this.features.apply({ type: followUp.type, data: followUp.data } as OnskyEvent);
          this.countAppended(followUp.type);
          this.noteReaction(followUp.type, followUp.data, this.deploymentLines.get(event.id) ?? 0, changeId);
        }
      }
    }
  }
}

/**
 * Reads a file once through the line reader before anything is imported, so that a binary,
 * UTF-16 or otherwise non-text file is rejected whole: the parser meets a NUL byte only when it reaches it, after
 * earlier batches may have been appended. Folders (a git repository) are not checked.
 */
export async function rejectBinary(path: string, label: string): Promise<void> {
  if (!(await stat(path)).isFile()) return;
  // The lines go to a sink that keeps nothing: decoding them, which made this pass cost a third
  // of the obslog parser's time, is not needed to find a NUL byte.
  for await (const _batch of readLinesInto({ file: label, stream: createReadStream(path, { highWaterMark: 1024 * 1024 }) }, {}, IGNORED_LINES)) {
    // The reader raises ImportError on the first NUL byte, on UTF-16 input, or on a start that is not text.
  }
}

/** A line sink that drops every line, for a pass that only checks the file. */
const IGNORED_LINES: LineSink<never> = { line: () => undefined };

/**
 * Returns an ImportError with the reason in words for a file that cannot be read, such as one
 * deleted or moved after the command checked it. Any other error is returned as it is.
 */
function unreadableFile(error: unknown, file: string): unknown {
  const code = (error as { code?: unknown } | null)?.code;
  if (code === 'ENOENT' || code === 'ENOTDIR') return new ImportError(file, undefined, `${file} was not found (moved or deleted since the import started?); check the path and import it again`);
  if (code === 'EACCES' || code === 'EPERM') return new ImportError(file, undefined, `${file} cannot be read (permission denied); make it readable and import it again`);
  if (code === 'EISDIR') return new ImportError(file, undefined, `${file} is a folder; name the files in it instead`);
  return error;
}

/** Keys a source record by its importer and locator, for recognising an edited record. */
function sourceKey(importer: string, locator: string): string {
  return `${importer}\u0000${locator}`;
}

/** True for a locator that is a line number or range (`17`, `17-21`) rather than a record key. */
function isLineNumber(locator: string): boolean {
  return /^\d+(?:-\d+)?$/.test(locator);
}

/**
 * Returns why a verification cannot be decided when the change that delivered its feature has no
 * deployment in the log. The domain's own message expects the caller to pass the deployment, which
 * an imported file cannot do, because it has to record the deployment first.
 */
function undeployedDelivery(item: ImportCommand, state: unknown): string | undefined {
  if (item.command.type !== 'RecordVerification' || item.command.data.deliveringChange !== undefined) return undefined;
  const changeId = (state as FeatureState | undefined)?.delivery?.changeId ?? null;
  if (changeId === null) return undefined;
  return `feature ${item.command.data.featureKey} was delivered by change ${changeId}, which has no deployment in the log; record its deployment first (a deploy entry before this one, or the file that records it, such as its git history)`;
}

/** Plan field names as a plan file writes them. */
const PLAN_FIELD_NAMES: Readonly<Record<PlanRevision['fixedChanged'][number], string>> = {
  title: 'title',
  subsystem: 'subsystem',
  components: 'components',
  requirementRefs: 'requirements',
};

/** Missing features a plan warning names before it only counts the rest. */
const MISSING_FEATURES_SHOWN = 10;

/** The field each revision command of a plan import updates, in the warning's words. */
const REVISED_WORDS: Readonly<Record<string, string>> = {
  RescoreFeature: 'scores',
  SetEvidenceCriteria: 'evidence criteria',
  SetFeatureTickets: 'tickets',
};

/** Words the warning for changed fields no command revises, naming the revisions that were recorded. */
function fixedFieldsMessage(revision: PlanRevision, applied: readonly ImportCommand[]): string {
  const fields = joinWords(revision.fixedChanged.map((field) => PLAN_FIELD_NAMES[field]));
  const updated = joinWords(applied.map((item) => REVISED_WORDS[item.command.type] ?? item.command.type));
  const note = updated === '' ? '' : ` (its ${updated} were updated)`;
  const keeps = revision.fixedChanged.length === 1 ? 'which keeps its first proposed value' : 'which keep their first proposed values';
  const them = revision.fixedChanged.length === 1 ? 'it' : 'them';
  return `feature ${revision.featureKey}: the plan changes its ${fields}, ${keeps}${note}; to change ${them}, withdraw the feature and propose it again under a new key`;
}

/** Joins words as a sentence lists them: "a", "a and b", "a, b and c". */
function joinWords(words: readonly string[]): string {
  return words.length <= 1 ? (words[0] ?? '') : `${words.slice(0, -1).join(', ')} and ${words.at(-1)}`;
}

/** Words a domain rejection the way the file's format does: a journal speaks of its entry kinds. */
function rejectionMessage(item: ImportCommand, outcome: string): string {
  const entryKind = item.provenance.importer === 'journal' ? JOURNAL_ENTRY_KINDS[item.command.type] : undefined;
  return entryKind === undefined ? `${item.command.type} rejected: ${outcome}` : `${entryKind} entry skipped: ${outcome}`;
}

function flatten(outcomes: readonly CommandOutcome[]): CommandOutcome[] {
  return outcomes.flatMap((outcome) => [outcome, ...flatten(outcome.followUps)]);
}

/** Returns the identifier a stream id stands for: a capture block id, or `sb-` and a schedule block id. */
/** An observation's keys as one record gives them, collected field by field. */
interface KeysOfRecord {
  captureBlockId?: string;
  scheduleBlockId?: string;
  startUtc?: string;
}

/** Returns an empty cached stream for the command's decider; `undefined` for a command no decider takes. */
function newCachedStream(command: OnskyCommand): CachedStream | undefined {
  const route = routeCommand(command);
  if (E.isLeft(route)) return undefined;
  const decider = route.right.decider;
  return { decider, state: decider.initialState, storedRevision: -1, pending: [], writing: [], simulated: [], eventIds: new Set() };
}

/** New events and skipped commands of a record, as `decideAll` counts them. */
interface Tally {
  added: number;
  skipped: number;
}

/**
 * Tests whether deciding a command waits on the log: a verification reads its evidence, a
 * deployment runs the policy, and a delivery or suspicion checks that its change exists.
 */
function waitsOnLog(command: OnskyCommand): boolean {
  return command.type === 'RecordVerification' || command.type === 'DeployChange' || namesChange(command);
}

/** Whether a command names a change that must exist: a delivery or a suspicion. */
function namesChange(command: OnskyCommand): command is DeliverFeature | MarkFeatureSuspect {
  return command.type === 'DeliverFeature' || command.type === 'MarkFeatureSuspect';
}

/** Folds an event into a cached stream: its state, its ids, a deployment's data and its record's digest. */
function remember(cached: CachedStream, event: NewEvent & { readonly metadata: { readonly recordedAt?: string } }): void {
  cached.state = cached.decider.evolve(cached.state, event as unknown as OnskyEvent);
  cached.eventIds.add(event.id);
  if (event.type === 'ChangeDeployed') (cached.deployments ??= new Map()).set(event.id, event.data);
  const source = event.metadata.source;
  if (source === undefined || !EDIT_CHECKED_IMPORTERS.has(source.importer)) return;
  // The first import of a record is the one the log keeps, so a later digest does not replace it.
  const remembered = sourceKey(source.importer, source.locator);
  const sources = (cached.sources ??= new Map());
  if (!sources.has(remembered)) {
    sources.set(remembered, { digest: source.digest, ...(event.metadata.recordedAt === undefined ? {} : { recordedAt: event.metadata.recordedAt }) });
  }
}

function idKeys(observationId: string): KeysOfRecord {
  return observationId.startsWith('sb-') ? { scheduleBlockId: observationId.slice(3) } : { captureBlockId: observationId };
}


/** Every event type an import session's indexes fold. */
const INDEXED_TYPES: readonly string[] = [...new Set([...ObservationIdentityIndex.EVENT_TYPES, 'TargetRecorded', 'TargetUpdated', ...FeatureStatusIndex.EVENT_TYPES])];

/** A store that reads only some event types, as the SQLite adapter does. */
interface TypeFilteredStore {
  readAllPagesOfTypes(types: readonly string[], after?: Position): Iterable<RecordedEvent[]>;
}

function filtersTypes(store: EventStore): store is EventStore & TypeFilteredStore {
  return typeof (store as Partial<TypeFilteredStore>).readAllPagesOfTypes === 'function';
}

/**
 * Builds the observation identity, catalogue target and feature status indexes from the log,
 * continuing from `cacheFile` when one is given. Without a usable cache the whole log is folded.
 * On SQLite only the types the indexes fold are read, which skips reviews and products (about
 * half of a large log), and a million events still take about 7 s on a 2-core machine.
 */
export async function indexesFromLog(store: EventStore, cacheFile?: string, onCacheFailure?: (message: string) => void): Promise<SessionIndexes> {
  const fold = (indexes: SessionIndexes, after: Position | undefined) => foldIndexedEvents(store, indexes, after);
  if (cacheFile !== undefined) return cachedIndexes(store, cacheFile, fold, onCacheFailure);
  const indexes = emptyIndexes();
  await fold(indexes, undefined);
  return indexes;
}

/** Folds the events after `after` into the indexes; returns the last one folded and how many. */
async function foldIndexedEvents(store: EventStore, indexes: SessionIndexes, after: Position | undefined): Promise<{ last: FoldedTo | undefined; events: number }> {
  let last: RecordedEvent | undefined;
  let events = 0;
  const add = (event: RecordedEvent): void => {
    // An event a newer onsky wrote would be folded wrongly, as the read models refuse to.
    checkSchemaVersion(event);
    indexEvent(indexes, event.stream, event as unknown as OnskyEvent);
    last = event;
    events += 1;
  };
  if (filtersTypes(store)) {
    for (const page of store.readAllPagesOfTypes(INDEXED_TYPES, after)) for (const event of page) add(event);
  } else {
    for await (const event of store.readAll(after === undefined ? {} : { after })) add(event);
  }
  return { last: last === undefined ? undefined : { position: last.position, eventId: last.id }, events };
}

/** Adds one event of `stream` to the indexes an import session decides with. */
export function indexEvent({ identity, targets, features }: SessionIndexes, stream: string, event: OnskyEvent): void {
  if (stream.startsWith('observation-')) identity.apply(event);
  if (event.type === 'TargetRecorded') targets.add({ name: event.data.targetName, aliases: event.data.aliases, tags: event.data.tags, coordinates: event.data.coordinates });
  if (event.type === 'TargetUpdated') targets.add({ name: event.data.targetName, aliases: event.data.addedAliases, tags: event.data.addedTags });
  if (stream.startsWith('feature-') || event.type === 'ObservationFactsRecorded') features.apply(event);
}

/**
 * Returns the record under the file name the user knows (an upload's original name). The digest
 * goes through a getter, because a line record hashes its line only when a command cites it and
 * most lines of a log map to no command.
 */
function relabelled<R>(parsed: ParsedRecord<R>, file: string): ParsedRecord<R> {
  return {
    kind: 'record',
    record: parsed.record,
    locator: { ...parsed.locator, file },
    get digest() {
      return parsed.digest;
    },
  };
}
