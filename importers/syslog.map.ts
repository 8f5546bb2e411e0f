/** Maps host syslog incidents to findings linked to the host, with the symptom as the log gives it. */
import { findingStream, NO_FINDING_LINKS, type RecordFinding } from '../domain/index.js';
import { importCommand, type MapContext, provenanceOf, type RecordMapper } from './map.js';
import type { SyslogIncident } from './syslog.js';

export function mapSyslog(context: MapContext): RecordMapper<SyslogIncident> {
  return (parsed) => {
    const incident = parsed.record;
    if (incident.severity === 'info') return [];
    const provenance = provenanceOf('syslog', parsed);
    const findingId = `${incident.host}-${incident.cause}-${incident.start.replace(/[-:]/g, '')}`;
    const repeats = incident.occurrences > 1 ? ` (${incident.occurrences} times until ${incident.end})` : '';
    const trace = incident.traceFunctions.length === 0 ? '' : `; call trace through ${incident.traceFunctions.slice(0, 8).join(', ')}`;

    const command: RecordFinding = {
      type: 'RecordFinding',
      data: {
        findingId,
        title: `${incident.cause} on ${incident.host} at ${incident.start}`,
        symptom: `${incident.firstMessage}${repeats}${trace}`,
        cause: '',
        workaround: '',
        links: { ...NO_FINDING_LINKS, hosts: [incident.host], components: incident.modules },
        recordedBy: context.actor,
        recordedAt: incident.start,
      },
    };
    return [importCommand(provenance, findingStream(findingId), command)];
  };
}
