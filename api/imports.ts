/**
 * Import sessions: parse a file as a stream, map each record to domain commands, decide them
 * against cached aggregate state, and append in batches. Event ids derive from the source record,
 * so a re-import, or a re-run after a crash midway, appends nothing twice. A record the domain
 * rejects becomes a warning with its file and line, unless the import is strict.
 */
import * as E from 'fp-ts/lib/Either.js';
import type { OnskyCommand, OnskyEvent } from '../domain/index.js';
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { parseSource, readLineBatches } from '../importers/index.js';
import { mapperFor } from '../importers/mappers.js';
import { eventIdFor, type ImportCommand } from '../importers/map.js';
import { TargetIndex } from '../importers/catalogue.js';
import type { ImportFormat } from '../importers/detect.js';
import { ImportError, type ImportWarning } from '../importers/types.js';
import type { AppendRequest, EventStore, NewEvent, Position } from '../store/port.js';
import { CommandHandler, type CommandOutcome } from './commands/handler.js';
import { enrichCommand } from './commands/enrich.js';
import { FeatureStatusIndex } from './feature-index.js';
import { routeCommand, schemaVersionOf, type AnyDecider } from './commands/routing.js';
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
  readonly warnings: readonly ImportWarning[];
  /** Event counts by type, for the dry-run preview. */
  readonly eventTypes: Readonly<Record<string, number>>;
}

/** Aggregate states kept between batches; an evicted stream is read again when needed. */
const MAX_CACHED_STREAMS = 20_000;

interface CachedStream {
  readonly decider: AnyDecider;
  state: unknown;
  /** Revision of the last stored event, -1 for a stream that does not exist yet. */
  storedRevision: number;
  pending: NewEvent[];
  /** Ids of the events stored or pending in the stream, to recognise a record imported before. */
  readonly eventIds: Set<string>;
}

/** Imports one file; see the module comment for the guarantees. */
export async function importFile(options: ImportOptions): Promise<ImportSummary> {
  const session = await ImportSession.open(options);
  return session.run();
}

class ImportSession {
  private readonly streams = new Map<string, CachedStream>();
  private readonly warnings: ImportWarning[] = [];
  private readonly eventTypes: Record<string, number> = {};
  private readonly batchLimit: number;
  private buffered: Array<{ item: ImportCommand; line: number }> = [];
  private pendingEvents = 0;
  private read = 0;
  private appended = 0;
  private duplicates = 0;
  private lastPosition: Position | undefined;

  private constructor(
    private readonly options: ImportOptions,
    private readonly identity: ObservationIdentityIndex,
    private readonly targets: TargetIndex,
    private readonly features: FeatureStatusIndex,
  ) {
    this.batchLimit = options.batchEvents ?? 1000;
  }

  static async open(options: ImportOptions): Promise<ImportSession> {
    const { identity, targets, features } = await indexesFromLog(options.store);
    return new ImportSession(options, identity, targets, features);
  }

  async run(): Promise<ImportSummary> {
    const file = this.options.fileLabel ?? this.options.path;
    await rejectBinary(this.options.path, file);
    const mapper = mapperFor(
      this.options.format,
      { actor: this.actor, importedAt: (this.options.now?.() ?? new Date()).toISOString(), targets: this.targets, warn: (line, message) => this.warnMapped(file, line, message) },
      { featureKeys: this.features.keys() },
    );

    for await (const parsed of parseSource(this.options.format, this.options.path, { strict: this.options.strict ?? false })) {
      if (parsed.kind === 'warning') {
        this.warnings.push({ ...parsed.warning, file });
        continue;
      }
      this.read += 1;
      const line = parsed.locator.line ?? 0;
      // Copied by name: a line record keeps its digest on the prototype, which a spread drops.
      const commands = mapper({ kind: 'record', record: parsed.record, locator: { ...parsed.locator, file }, digest: parsed.digest });
      const added = await this.decideAll(commands, line, file);
      // A record that maps to no command (a log line onsky does not track) is no duplicate.
      if (commands.length > 0 && added === 0) this.duplicates += 1;
      if (this.pendingEvents >= this.batchLimit) await this.flush();
    }
    await this.flush();

    return {
      format: this.options.format,
      file,
      dryRun: this.options.dryRun ?? false,
      read: this.read,
      appended: this.appended,
      duplicates: this.duplicates,
      warnings: this.warnings,
      eventTypes: this.eventTypes,
    };
  }

  /** Records a mapper's warning, or raises it in a strict import. */
  private warnMapped(file: string, line: number, message: string): void {
    if (this.options.strict === true) throw new ImportError(file, line, message);
    this.warnings.push({ file, line, message });
  }

  private get actor(): string {
    return this.options.actor ?? `importer:${this.options.format}`;
  }

  /** Decides a record's commands; returns how many new events they produced. */
  private async decideAll(items: readonly ImportCommand[], line: number, file: string): Promise<number> {
    let added = 0;
    for (const item of items) {
      let routed = this.reroute(item);
      // A verification's evidence and delivering deployment are read from the log, so what this
      // session decided before it must be stored first.
      if (routed.command.type === 'RecordVerification') await this.flush();
      await this.load(routed.stream, routed.command);
      if (routed.command.type === 'RecordVerification') routed = await this.enrich(routed);
      const outcome = this.decideOne(routed);
      if (typeof outcome === 'string') {
        const warning = { file, line, message: `${item.command.type} rejected: ${outcome}` };
        if (this.options.strict === true) throw new ImportError(file, line, warning.message);
        this.warnings.push(warning);
        continue;
      }
      this.buffered.push({ item: routed, line });
      added += outcome;
      // The deployment policy marks suspect what is verified when it runs. Running it right after
      // the deployment keeps a verification that a file lists later from being marked suspect by
      // an earlier deployment.
      if (routed.command.type === 'DeployChange' && outcome > 0) await this.flush();
    }
    return added;
  }

  /** Adds the cited observations' facts and the delivering deployment, as the API's handler does. */
  private async enrich(item: ImportCommand): Promise<ImportCommand> {
    if (item.command.type !== 'RecordVerification') return item;
    const observationIds = item.command.data.observationIds.map((id) => this.identity.resolve(idKeys(id)) ?? id);
    const command = { ...item.command, data: { ...item.command.data, observationIds } };
    const state = this.streams.get(item.stream)?.state;
    const enriched = await enrichCommand(command, state, this.options.store, {
      tagsOf: (name) => this.targets.lookup(name)?.tags ?? [],
    });
    return { ...item, command: enriched };
  }

  /** Sends observation commands to the stream the identity index holds for their keys. */
  private reroute(item: ImportCommand): ImportCommand {
    const command = item.command;
    if (!('observationId' in command.data)) return item;
    const data = command.data as { observationId: string; facts?: { captureBlockId?: string; scheduleBlockId?: string; startUtc?: string } };
    const mapped = data.observationId;
    const keys = {
      ...(data.facts?.captureBlockId === undefined ? idKeys(mapped) : { captureBlockId: data.facts.captureBlockId }),
      ...(data.facts?.scheduleBlockId === undefined ? {} : { scheduleBlockId: data.facts.scheduleBlockId }),
      ...(data.facts?.startUtc === undefined ? {} : { startUtc: data.facts.startUtc }),
    };
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
    if (cached.eventIds.has(eventIdFor(item.commandId, 0))) return 0;
    const decision = cached.decider.decide(item.command, cached.state);
    if (E.isLeft(decision)) return decision.left.message;

    decision.right.forEach((event, index) => {
      cached.state = cached.decider.evolve(cached.state, event);
      const newEvent = this.toNewEvent(item, event, index);
      cached.pending.push(newEvent);
      cached.eventIds.add(newEvent.id);
      this.identity.apply(event);
      this.features.apply(event);
      this.eventTypes[event.type] = (this.eventTypes[event.type] ?? 0) + 1;
    });
    this.pendingEvents += decision.right.length;
    return decision.right.length;
  }

  private toNewEvent(item: ImportCommand, event: OnskyEvent, index: number): NewEvent {
    return {
      id: eventIdFor(item.commandId, index),
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

  /** Appends every pending event in one transaction; on a concurrent write, reloads and decides again. */
  private async flush(): Promise<void> {
    for (let attempt = 1; ; attempt++) {
      const requests: AppendRequest[] = [];
      for (const [stream, cached] of this.streams) {
        if (cached.pending.length === 0) continue;
        requests.push({ stream, events: cached.pending, expectedRevision: cached.storedRevision < 0 ? 'no-stream' : cached.storedRevision });
      }
      if (requests.length === 0 || this.options.dryRun === true) {
        this.commitPending(requests, undefined);
        return;
      }
      const result = await this.options.store.appendBatch(requests);
      if (E.isRight(result)) {
        this.commitPending(requests, result.right.results.map((entry) => entry.nextExpectedRevision));
        this.lastPosition = result.right.results.at(-1)?.position ?? this.lastPosition;
        await this.runPolicies(requests);
        this.options.onProgress?.({ read: this.read, appended: this.appended });
        return;
      }
      if (attempt >= 5) {
        throw new ImportError(this.options.fileLabel ?? this.options.path, undefined, `another writer kept changing stream "${result.left.stream}" during the import; run the import again`);
      }
      await this.redecide();
    }
  }

  private commitPending(requests: readonly AppendRequest[], revisions: readonly number[] | undefined): void {
    requests.forEach((request, index) => {
      const cached = this.streams.get(request.stream)!;
      this.appended += cached.pending.length;
      cached.storedRevision = revisions?.[index] ?? cached.storedRevision + cached.pending.length;
      cached.pending = [];
    });
    this.buffered = [];
    this.pendingEvents = 0;
    this.evictIdleStreams();
  }

  /** Keeps memory flat on long files: past the limit, streams with nothing pending are dropped. */
  private evictIdleStreams(): void {
    if (this.streams.size <= MAX_CACHED_STREAMS) return;
    for (const [stream, cached] of this.streams) {
      if (cached.pending.length === 0) this.streams.delete(stream);
    }
  }

  /** Drops the cached state of the batch's streams and decides the buffered commands again. */
  private async redecide(): Promise<void> {
    const commands = this.buffered;
    for (const { item } of commands) this.streams.delete(item.stream);
    this.buffered = [];
    this.pendingEvents = 0;
    for (const { item, line } of commands) {
      await this.decideAll([item], line, this.options.fileLabel ?? this.options.path);
    }
  }

  private async load(stream: string, command: OnskyCommand): Promise<void> {
    if (this.streams.has(stream)) return;
    const route = routeCommand(command);
    if (E.isLeft(route)) return;
    const decider = route.right.decider;
    let state = decider.initialState;
    let revision = -1;
    const eventIds = new Set<string>();
    for await (const event of this.options.store.readStream(stream)) {
      state = decider.evolve(state, event as unknown as OnskyEvent);
      revision = event.revision;
      eventIds.add(event.id);
    }
    this.streams.set(stream, { decider, state, storedRevision: revision, pending: [], eventIds });
  }

  private async runPolicies(requests: readonly AppendRequest[]): Promise<void> {
    const deployed = requests.flatMap((request) => request.events.filter((event) => event.type === 'ChangeDeployed'));
    if (deployed.length === 0 || this.lastPosition === undefined) return;
    const handler = this.options.handler ?? new CommandHandler({ store: this.options.store, verifiedFeatures: this.features });
    const { followUps } = await handler.runPolicies(
      deployed.map((event) => ({ id: event.id, type: event.type as OnskyEvent['type'], data: event.data as OnskyEvent['data'] })),
      this.lastPosition,
      { actor: this.actor },
    );
    // The policy wrote to feature streams behind this session's cache: fold what it wrote and
    // forget those streams so the next command reads them afresh.
    for (const outcome of flatten(followUps)) {
      this.streams.delete(outcome.stream);
      for (const event of outcome.events) {
        this.features.apply({ type: event.type, data: event.data } as OnskyEvent);
        this.appended += 1;
      }
    }
  }
}

/**
 * Reads a file once through the line reader before anything is imported, so that a binary,
 * UTF-16 or otherwise non-text file is rejected whole: the parser meets a NUL byte only when it reaches it, after
 * earlier batches may have been appended. Folders (a git repository) are not checked.
 */
async function rejectBinary(path: string, label: string): Promise<void> {
  if (!(await stat(path)).isFile()) return;
  for await (const _batch of readLineBatches({ file: label, stream: createReadStream(path, { highWaterMark: 1024 * 1024 }) })) {
    // The reader raises ImportError on the first NUL byte, on UTF-16 input, or on a start that is not text.
  }
}

function flatten(outcomes: readonly CommandOutcome[]): CommandOutcome[] {
  return outcomes.flatMap((outcome) => [outcome, ...flatten(outcome.followUps)]);
}

/** Returns the identifier a stream id stands for: a capture block id, or `sb-` and a schedule block id. */
function idKeys(observationId: string): { captureBlockId?: string; scheduleBlockId?: string } {
  return observationId.startsWith('sb-') ? { scheduleBlockId: observationId.slice(3) } : { captureBlockId: observationId };
}

/**
 * Builds the observation identity, catalogue target and feature status indexes from the log.
 * NOTE: this reads the whole log once per import; a server can pass its read models' indexes
 * instead once they expose them.
 */
async function indexesFromLog(store: EventStore): Promise<{ identity: ObservationIdentityIndex; targets: TargetIndex; features: FeatureStatusIndex }> {
  const identity = new ObservationIdentityIndex();
  const targets = new TargetIndex();
  const features = new FeatureStatusIndex();
  for await (const event of store.readAll()) {
    const domainEvent = event as unknown as OnskyEvent;
    if (event.stream.startsWith('observation-')) identity.apply(domainEvent);
    if (domainEvent.type === 'TargetRecorded') targets.add({ name: domainEvent.data.targetName, aliases: domainEvent.data.aliases, tags: domainEvent.data.tags, coordinates: domainEvent.data.coordinates });
    if (domainEvent.type === 'TargetUpdated') targets.add({ name: domainEvent.data.targetName, aliases: domainEvent.data.addedAliases, tags: domainEvent.data.addedTags });
    if (event.stream.startsWith('feature-')) features.apply(domainEvent);
  }
  return { identity, targets, features };
}
