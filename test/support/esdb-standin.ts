/**
 * An in-process gRPC stand-in for EventStoreDB, built from the service definitions that ship
 * with `@eventstore/db-client` 6.2.1 and served by `@grpc/grpc-js` on 127.0.0.1, insecure.
 *
 * It is a compatibility check, not proof: it reproduces the wire behaviour the client and the
 * onsky adapter rely on (appends with expected revisions and EventStoreDB's idempotence rules,
 * conflicts as normal responses, byte-offset positions, system events in `$all`, missing streams
 * as normal read responses, subscriptions with filters, checkpoints and the caught-up signal, soft
 * deletes), as far as the EventStoreDB documentation and source describe it. A real server may
 * differ in what is not modelled here: clustering, leader elections, scavenging, ACLs, chunk
 * boundaries, timeouts under load. Run the contract suite against a real node for that
 * (`EVENTSTORE_URL`). State lives in memory and survives `stop()`/`restart()`, like a node whose
 * process restarts on the same data directory.
 */
import { createRequire } from 'node:module';
import {
  Server,
  ServerCredentials,
  type ServerDuplexStream,
  type ServerReadableStream,
  type ServerUnaryCall,
  type sendUnaryData,
  type UntypedServiceImplementation,
} from '@grpc/grpc-js';
import { StandInLog, type AppendOutcome, type ProposedEvent, type StandInLogOptions, type WireExpectation } from './esdb-standin-log.js';
import { handleRead } from './esdb-standin-read.js';

const require = createRequire(import.meta.url);
type StreamsPb = typeof import('@eventstore/db-client/generated/streams_pb.js');
type SharedPb = typeof import('@eventstore/db-client/generated/shared_pb.js');
const streamsPb = require('@eventstore/db-client/generated/streams_pb.js') as StreamsPb;
const sharedPb = require('@eventstore/db-client/generated/shared_pb.js') as SharedPb;
const statusPb = require('@eventstore/db-client/generated/status_pb.js') as typeof import('@eventstore/db-client/generated/status_pb.js');
const featuresPb = require('@eventstore/db-client/generated/serverfeatures_pb.js') as typeof import('@eventstore/db-client/generated/serverfeatures_pb.js');
const { StreamsService } = require('@eventstore/db-client/generated/streams_grpc_pb.js') as typeof import('@eventstore/db-client/generated/streams_grpc_pb.js');
const { ServerFeaturesService } = require('@eventstore/db-client/generated/serverfeatures_grpc_pb.js') as typeof import('@eventstore/db-client/generated/serverfeatures_grpc_pb.js');
const { Any } = require('google-protobuf/google/protobuf/any_pb.js') as typeof import('google-protobuf/google/protobuf/any_pb.js');

type AppendReq = InstanceType<StreamsPb['AppendReq']>;
type AppendResp = InstanceType<StreamsPb['AppendResp']>;
type BatchAppendReq = InstanceType<StreamsPb['BatchAppendReq']>;
type BatchAppendResp = InstanceType<StreamsPb['BatchAppendResp']>;
type DeleteReq = InstanceType<StreamsPb['DeleteReq']>;
type DeleteResp = InstanceType<StreamsPb['DeleteResp']>;
type ProposedMessage = InstanceType<StreamsPb['AppendReq']['ProposedMessage']> | InstanceType<StreamsPb['BatchAppendReq']['ProposedMessage']>;

export interface EsdbStandInOptions extends StandInLogOptions {
  /** Port to listen on; 0 (the default) picks a free one. */
  readonly port?: number;
  /** Advertise `Streams.BatchAppend`, which makes the client use it for every append. Default true. */
  readonly batchAppend?: boolean;
  /** Send `caught_up` on subscriptions, as current servers do; older ones do not. Default true. */
  readonly sendsCaughtUp?: boolean;
  /** Version reported by `ServerFeatures.GetSupportedMethods`. */
  readonly serverVersion?: string;
}

export class EsdbStandIn {
  readonly log: StandInLog;
  private server: Server | undefined;

  private constructor(
    private readonly options: EsdbStandInOptions,
    private boundPort: number,
  ) {
    this.log = new StandInLog(options);
  }

  static async start(options: EsdbStandInOptions = {}): Promise<EsdbStandIn> {
    const standIn = new EsdbStandIn(options, options.port ?? 0);
    await standIn.listen();
    return standIn;
  }

  get port(): number {
    return this.boundPort;
  }

  /** Connection string for one insecure node, without gossip discovery. */
  get url(): string {
    return `esdb://127.0.0.1:${this.boundPort}?tls=false`;
  }

  /** Drops every connection and stops listening, keeping the log: a node that went down. */
  async stop(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    if (server === undefined) return;
    server.forceShutdown();
    this.log.wakeAll();
  }

  /** Listens again on the same port with the same log. */
  async restart(): Promise<void> {
    await this.stop();
    await this.listen();
  }

  async close(): Promise<void> {
    await this.stop();
  }

  private async listen(): Promise<void> {
    const server = new Server();
    server.addService(StreamsService, this.streamsHandlers());
    server.addService(ServerFeaturesService, {
      getSupportedMethods: (_call: ServerUnaryCall<unknown, unknown>, callback: sendUnaryData<unknown>) =>
        callback(null, this.supportedMethods()),
    });
    this.boundPort = await new Promise<number>((resolve, reject) => {
      server.bindAsync(`127.0.0.1:${this.boundPort}`, ServerCredentials.createInsecure(), (error, port) =>
        error === null ? resolve(port) : reject(error),
      );
    });
    this.server = server;
  }

  private supportedMethods(): InstanceType<typeof featuresPb.SupportedMethods> {
    const methods = ['Read', 'Append', 'Delete', ...(this.options.batchAppend === false ? [] : ['BatchAppend'])];
    const response = new featuresPb.SupportedMethods();
    response.setEventStoreServerVersion(this.options.serverVersion ?? '24.10.0');
    for (const name of methods) {
      response.addMethods(new featuresPb.SupportedMethod().setServiceName('event_store.client.streams.Streams').setMethodName(name));
    }
    response.addMethods(
      new featuresPb.SupportedMethod().setServiceName('event_store.client.server_features.ServerFeatures').setMethodName('GetSupportedMethods'),
    );
    return response;
  }

  private streamsHandlers(): UntypedServiceImplementation {
    return {
      read: (call: Parameters<typeof handleRead>[1]) => handleRead(this.log, call, { sendsCaughtUp: this.options.sendsCaughtUp !== false }),
      append: (call: ServerReadableStream<AppendReq, AppendResp>, callback: sendUnaryData<AppendResp>) => this.handleAppend(call, callback),
      batchAppend: (call: ServerDuplexStream<BatchAppendReq, BatchAppendResp>) => this.handleBatchAppend(call),
      delete: (call: ServerUnaryCall<DeleteReq, DeleteResp>, callback: sendUnaryData<DeleteResp>) => this.handleDelete(call, callback),
    };
  }

  /** `Streams.Append`: options first, then the events; a conflict is a normal response. */
  private handleAppend(call: ServerReadableStream<AppendReq, AppendResp>, callback: sendUnaryData<AppendResp>): void {
    let options: InstanceType<StreamsPb['AppendReq']['Options']> | undefined;
    const proposed: ProposedEvent[] = [];
    call.on('data', (request: AppendReq) => {
      if (request.hasOptions()) options = request.getOptions();
      else if (request.hasProposedMessage()) proposed.push(toProposed(request.getProposedMessage()!));
    });
    call.on('end', () => {
      if (options === undefined) {
        callback(new Error('append without options'), null);
        return;
      }
      const stream = streamName(options.getStreamIdentifier());
      const expected = appendExpectation(options);
      const outcome = this.log.append(stream, expected, proposed);
      callback(null, toAppendResp(outcome, expected));
    });
  }

  /**
   * `Streams.BatchAppend`: one long-lived duplex call; each append is a series of chunks sharing a
   * correlation id, the first carrying the options, the last flagged `is_final`. The reply for a
   * conflict is a `google.rpc.Status` whose details pack `WrongExpectedVersion`.
   */
  private handleBatchAppend(call: ServerDuplexStream<BatchAppendReq, BatchAppendResp>): void {
    const pending = new Map<string, { options?: InstanceType<StreamsPb['BatchAppendReq']['Options']>; proposed: ProposedEvent[] }>();
    call.on('data', (request: BatchAppendReq) => {
      const correlation = request.getCorrelationId()!;
      const key = uuidText(correlation);
      const entry = pending.get(key) ?? { proposed: [] };
      pending.set(key, entry);
      if (request.hasOptions()) entry.options = request.getOptions();
      for (const message of request.getProposedMessagesList()) entry.proposed.push(toProposed(message));
      if (!request.getIsFinal()) return;

      pending.delete(key);
      const options = entry.options!;
      const response = new streamsPb.BatchAppendResp().setCorrelationId(correlation).setStreamIdentifier(options.getStreamIdentifier());
      const deadline = options.getDeadline()?.toDate();
      if (deadline !== undefined && deadline.getTime() < Date.now()) {
        call.write(response.setError(errorStatus(statusPb.Status, 'event_store.client.Timeout', new sharedPb.Timeout(), 4)));
        return;
      }
      const expected = batchExpectation(options);
      const outcome = this.log.append(streamName(options.getStreamIdentifier()), expected, entry.proposed);
      if (outcome.kind === 'wrong_expected_version') {
        const details = toSharedWrongExpectedVersion(outcome.currentRevision, expected);
        // FAILED_PRECONDITION, the code EventStoreDB uses for a version conflict in a batch.
        call.write(response.setError(errorStatus(statusPb.Status, 'event_store.client.WrongExpectedVersion', details, 9)));
        return;
      }
      const success = new streamsPb.BatchAppendResp.Success();
      if (outcome.currentRevision === -1n) success.setNoStream(new EmptyMessage());
      else success.setCurrentRevision(outcome.currentRevision.toString());
      if (outcome.position === undefined) success.setNoPosition(new EmptyMessage());
      else success.setPosition(new sharedPb.AllStreamPosition().setCommitPosition(outcome.position.toString()).setPreparePosition(outcome.position.toString()));
      call.write(response.setSuccess(success));
    });
    call.on('end', () => call.end());
  }

  /** `Streams.Delete`: a soft delete. */
  private handleDelete(call: ServerUnaryCall<DeleteReq, DeleteResp>, callback: sendUnaryData<DeleteResp>): void {
    const options = call.request.getOptions()!;
    const expected: WireExpectation = options.hasRevision()
      ? { kind: 'revision', revision: BigInt(options.getRevision()) }
      : options.hasNoStream()
        ? { kind: 'no_stream' }
        : options.hasStreamExists()
          ? { kind: 'stream_exists' }
          : { kind: 'any' };
    const outcome = this.log.softDelete(streamName(options.getStreamIdentifier()), expected);
    if (outcome.kind === 'wrong_expected_version') {
      callback(Object.assign(new Error('WrongExpectedVersion'), { code: 9 }), null);
      return;
    }
    const response = new streamsPb.DeleteResp();
    if (outcome.position === undefined) response.setNoPosition(new sharedPb.Empty());
    else response.setPosition(new streamsPb.DeleteResp.Position().setCommitPosition(outcome.position.toString()).setPreparePosition(outcome.position.toString()));
    callback(null, response);
  }
}

/** `google.protobuf.Empty`, which the batch messages use in place of the client's own Empty. */
const { Empty: EmptyMessage } = require('google-protobuf/google/protobuf/empty_pb.js') as typeof import('google-protobuf/google/protobuf/empty_pb.js');

function streamName(identifier: InstanceType<SharedPb['StreamIdentifier']> | undefined): string {
  return Buffer.from(identifier?.getStreamName_asU8() ?? new Uint8Array()).toString('utf8');
}

function uuidText(uuid: InstanceType<SharedPb['UUID']>): string {
  if (uuid.hasString()) return uuid.getString().toLowerCase();
  const structured = uuid.getStructured()!;
  const most = BigInt.asUintN(64, BigInt(structured.getMostSignificantBits())).toString(16).padStart(16, '0');
  const least = BigInt.asUintN(64, BigInt(structured.getLeastSignificantBits())).toString(16).padStart(16, '0');
  const hex = most + least;
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

function toProposed(message: ProposedMessage): ProposedEvent {
  const metadata = message.getMetadataMap();
  return {
    id: uuidText(message.getId()!),
    type: metadata.get('type') ?? '',
    contentType: metadata.get('content-type') ?? 'application/octet-stream',
    data: message.getData_asU8(),
    customMetadata: message.getCustomMetadata_asU8(),
  };
}

function appendExpectation(options: InstanceType<StreamsPb['AppendReq']['Options']>): WireExpectation {
  if (options.hasRevision()) return { kind: 'revision', revision: BigInt(options.getRevision()) };
  if (options.hasNoStream()) return { kind: 'no_stream' };
  if (options.hasStreamExists()) return { kind: 'stream_exists' };
  return { kind: 'any' };
}

function batchExpectation(options: InstanceType<StreamsPb['BatchAppendReq']['Options']>): WireExpectation {
  if (options.hasStreamPosition()) return { kind: 'revision', revision: BigInt(options.getStreamPosition()) };
  if (options.hasNoStream()) return { kind: 'no_stream' };
  if (options.hasStreamExists()) return { kind: 'stream_exists' };
  return { kind: 'any' };
}

function toAppendResp(outcome: AppendOutcome, expected: WireExpectation): AppendResp {
  const response = new streamsPb.AppendResp();
  if (outcome.kind === 'wrong_expected_version') {
    const conflict = new streamsPb.AppendResp.WrongExpectedVersion();
    if (outcome.currentRevision === -1n) conflict.setCurrentNoStream(new sharedPb.Empty());
    else conflict.setCurrentRevision(outcome.currentRevision.toString());
    if (expected.kind === 'revision') conflict.setExpectedRevision(expected.revision.toString());
    else if (expected.kind === 'no_stream') conflict.setExpectedNoStream(new sharedPb.Empty());
    else if (expected.kind === 'stream_exists') conflict.setExpectedStreamExists(new sharedPb.Empty());
    else conflict.setExpectedAny(new sharedPb.Empty());
    return response.setWrongExpectedVersion(conflict);
  }
  const success = new streamsPb.AppendResp.Success();
  if (outcome.currentRevision === -1n) success.setNoStream(new sharedPb.Empty());
  else success.setCurrentRevision(outcome.currentRevision.toString());
  if (outcome.position === undefined) success.setNoPosition(new sharedPb.Empty());
  else success.setPosition(new streamsPb.AppendResp.Position().setCommitPosition(outcome.position.toString()).setPreparePosition(outcome.position.toString()));
  return response.setSuccess(success);
}

function toSharedWrongExpectedVersion(current: bigint, expected: WireExpectation): InstanceType<SharedPb['WrongExpectedVersion']> {
  const details = new sharedPb.WrongExpectedVersion();
  if (current === -1n) details.setCurrentNoStream(new EmptyMessage());
  else details.setCurrentStreamRevision(current.toString());
  if (expected.kind === 'revision') details.setExpectedStreamPosition(expected.revision.toString());
  else if (expected.kind === 'no_stream') details.setExpectedNoStream(new EmptyMessage());
  else if (expected.kind === 'stream_exists') details.setExpectedStreamExists(new EmptyMessage());
  else details.setExpectedAny(new EmptyMessage());
  return details;
}

function errorStatus(
  Status: typeof statusPb.Status,
  typeName: string,
  details: { serializeBinary(): Uint8Array },
  code: number,
): InstanceType<typeof statusPb.Status> {
  const packed = new Any();
  packed.pack(details.serializeBinary(), typeName);
  return new Status().setCode(code).setMessage(typeName).setDetails(packed);
}
