/**
 * Maps journal entries to the commands a person would have issued at the time. A verification's
 * observation facts and delivering deployment are not in the journal: the import session reads
 * them from the log, as the API does, so a journal cannot claim evidence the log lacks.
 */
import {
  changeStream,
  featureStream,
  isCaptureBlockId,
  observationStream,
  type OnskyCommand,
} from '../domain/index.js';
import type { JournalEntry } from './journal.js';
import { importCommand, type ImportCommand, type MapContext, observationStreamOf, provenanceOf, type RecordMapper, withoutEmpty } from './map.js';
import { uuidV5 } from './ids.js';
import { utcOf } from './zoned-instant.js';

/** A schedule block id as the archive writes it: date, hyphen, four-digit sequence number. */
const SCHEDULE_BLOCK = /^\d{8}-\d{4}$/;

export function mapJournal(_context: MapContext): RecordMapper<JournalEntry> {
  return (parsed) => {
    const entry = parsed.record;
    const provenance = provenanceOf('journal', parsed);
    const commandFor = (stream: string, command: OnskyCommand): ImportCommand[] => [importCommand(provenance, stream, command)];

    switch (entry.kindOfEntry) {
      case 'change':
        return commandFor(changeStream(entry.change), {
          type: 'RecordChange',
          data: {
            changeId: entry.change,
            kind: entry.kind,
            subsystem: entry.subsystem,
            components: entry.components,
            version: entry.version ?? null,
            summary: entry.summary,
            ticketKeys: entry.tickets,
            deliversFeatures: entry.delivers,
            recordedBy: entry.by,
            recordedAt: utcOf(entry.at),
          },
        });
      case 'deploy':
        return commandFor(changeStream(entry.deploy), {
          type: 'DeployChange',
          data: {
            changeId: entry.deploy,
            deploymentId: entry.id ?? `${entry.deploy}@${utcOf(entry.at)}`,
            deployedAt: utcOf(entry.at),
            scope: { subarray: entry.subarray ?? null, receptors: entry.receptors, hosts: entry.hosts },
          },
        });
      case 'deliver':
        return commandFor(featureStream(entry.deliver), {
          type: 'DeliverFeature',
          data: withoutEmpty({ featureKey: entry.deliver, changeId: entry.change, deliveredAt: utcOf(entry.at) }),
        });
      case 'verify':
        return commandFor(featureStream(entry.verify), {
          type: 'RecordVerification',
          data: {
            featureKey: entry.verify,
            // The same feature and time always give the same id, so a re-import is recognised.
            verificationId: entry.id ?? uuidV5(`journal-verification/${entry.verify}/${utcOf(entry.at)}`),
            outcome: entry.outcome,
            observationIds: entry.observations.map(observationIdOf),
            metrics: entry.metrics,
            ...(entry.notes === undefined ? {} : { notes: entry.notes }),
            verifiedBy: entry.by,
            verifiedAt: utcOf(entry.at),
            observations: [],
          },
        });
      case 'review': {
        const observationId = observationIdOf(entry.review);
        return commandFor(observationStream(observationId), {
          type: 'ReviewObservation',
          data: withoutEmpty({
            observationId,
            level: entry.level,
            reviewer: entry.by,
            reviewedAt: utcOf(entry.at),
            reason: entry.reason,
            notes: entry.notes,
          }),
        });
      }
      case 'clear':
        return commandFor(featureStream(entry.clear), {
          type: 'ClearSuspicion',
          data: { featureKey: entry.clear, justification: entry.justification, clearedBy: entry.by, clearedAt: utcOf(entry.at) },
        });
    }
  };
}

/**
 * Names an observation the way its stream does: a capture block id as is, a schedule block id
 * as `sb-…`. The import session then follows the identity index, so a schedule block that a
 * later source tied to a capture block reaches that capture block's stream.
 */
export function observationIdOf(reference: string): string {
  if (isCaptureBlockId(reference)) return reference;
  if (SCHEDULE_BLOCK.test(reference)) return observationStreamOf(undefined, reference)!.id;
  return reference;
}
