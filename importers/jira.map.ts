/** Maps Jira issues to ticket snapshots with their links and mentions. */
import { clipTitle, ticketStream, type RecordTicket } from '../domain/index.js';
import type { JiraIssue } from './jira.js';
import { factSourceOf, importCommand, type MapContext, provenanceOf, type RecordMapper } from './map.js';

export function mapJira(context: MapContext): RecordMapper<JiraIssue> {
  return (parsed) => {
    const issue = parsed.record;
    const provenance = provenanceOf('jira', parsed);
    const mentioned = (kind: string): string[] => [...new Set(issue.mentions.filter((mention) => mention.kind === kind).map((mention) => mention.value))];

    const command: RecordTicket = {
      type: 'RecordTicket',
      data: {
        ticketKey: issue.key,
        summary: issue.summary === '' ? issue.key : clipTitle(issue.summary),
        status: issue.status ?? 'Unknown',
        links: issue.links.map((link) => ({ direction: link.direction, relation: link.wording, ticketKey: link.key })),
        mentions: {
          captureBlockIds: mentioned('capture-block'),
          scheduleBlockIds: mentioned('schedule-block'),
          // Issue keys in the text may name features or other tickets; the ticket keeps both as feature keys.
          featureKeys: mentioned('issue-key'),
        },
        source: factSourceOf(provenance),
        recordedAt: issue.updated ?? issue.created ?? context.importedAt,
      },
    };
    return [importCommand(provenance, ticketStream(issue.key), command)];
  };
}
