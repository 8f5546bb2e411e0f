/**
 * Seeds a running onsky server through its GraphQL API, as a user's tools would: features,
 * a change that delivers them, its deployment, archived observations that qualify as evidence
 * and one that does not, a passed verification, reviews and a finding whose text looks like
 * HTML (it must show as text).
 */

export interface GraphQLClient {
  (query: string, variables?: Record<string, unknown>): Promise<Record<string, unknown>>;
}

/** Creates a client for `baseUrl/graphql` that throws with the server's messages on any error. */
export function graphqlClient(baseUrl: string, token: string | null = null): GraphQLClient {
  return async (query, variables = {}) => {
    const headers: Record<string, string> = { 'Content-Type': 'application/json', Accept: 'application/json' };
    if (token !== null) headers['Authorization'] = `Bearer ${token}`;
    const response = await fetch(`${baseUrl}/graphql`, { method: 'POST', headers, body: JSON.stringify({ query, variables }) });
    const body = (await response.json()) as { data?: Record<string, unknown>; errors?: { message: string }[] };
    if (body.errors !== undefined && body.errors.length > 0) {
      throw new Error(`GraphQL request failed: ${body.errors.map((error) => error.message).join('; ')}\n${query}`);
    }
    for (const value of Object.values(body.data ?? {})) {
      const message = (value as { message?: unknown } | null)?.message;
      if (typeof message === 'string') throw new Error(`the API rejected a seed command: ${message}`);
    }
    return body.data ?? {};
  };
}

/** A finding title that would run script if it were inserted as HTML. */
export const HOSTILE_TITLE = '<img src=x onerror="window.__injected=1"> straggler <b>bold</b>';

/** Start of the delivering deployment; evidence must start after it. */
export const DEPLOYED_AT = '2019-03-01T08:00:00Z';

/** Features the seed proposes: two to verify, one verified in the seed, one only proposed. */
export const SEED_FEATURES = [
  { key: 'CBF-DELAY-TRACKING', title: 'Delay tracking across the band in 1K mode', subsystem: 'CBF', components: ['cbf.fengine', 'cbf.delay-model'], requirement: 'R.CBF.1K.3', band: 'L', product: 'c856M1k' },
  { key: 'SDP-NOISE-DIODE', title: 'Automatic noise-diode firing', subsystem: 'SDP', components: ['sdp.ingest'], requirement: 'R.RC.P.30', band: 'L', product: 'c856M4k' },
  { key: 'SDP-QUORUM', title: 'Quorum straggler tolerance', subsystem: 'SDP', components: ['sdp.ingest', 'sdp.controller'], requirement: 'R.SDP.Q.1', band: 'L', product: 'c856M4k' },
  { key: 'CAM-SCHEDULER-UI', title: 'Scheduler shows schedule-block progress', subsystem: 'CAM', components: ['cam.scheduler'], requirement: 'R.CAM.7', band: 'L', product: 'c856M4k' },
] as const;

/** Observations: three that qualify for the L-band 4k features, one UHF that does not. */
export const SEED_OBSERVATIONS = [
  { id: '1551803062', start: '2019-03-05T16:24:22Z', minutes: 60, band: 'L', product: 'c856M4k', proposal: 'COMM-305', description: 'bandpass and delay calibration' },
  { id: '1551890000', start: '2019-03-06T16:33:20Z', minutes: 120, band: 'L', product: 'c856M4k', proposal: 'COMM-305', description: 'imaging of the COSMOS field' },
  { id: '1552039941', start: '2019-03-08T10:12:21Z', minutes: 45, band: 'L', product: 'c856M1k', proposal: 'COMM-305', description: 'delaycal on PKS 1934-63 in 1K mode' },
  // A proposal id of the archive listing's form, as wide as the layout tests need.
  { id: '1552100000', start: '2019-03-09T03:06:40Z', minutes: 30, band: 'UHF', product: 'c544M4k', proposal: '20180306SB-02', description: 'UHF test track' },
] as const;

const PROPOSE = `mutation ($input: ProposeFeatureInput!) { proposeFeature(input: $input) { __typename ... on DomainError { message } } }`;
const RECORD_CHANGE = `mutation ($input: RecordChangeInput!) { recordChange(input: $input) { __typename ... on DomainError { message } } }`;
const DEPLOY = `mutation ($input: DeployChangeInput!) { deployChange(input: $input) { __typename ... on DomainError { message } } }`;
const FACTS = `mutation ($input: RecordObservationFactsInput!) { recordObservationFacts(input: $input) { __typename ... on DomainError { message } } }`;
const PRODUCTS = `mutation ($input: RecordArchivedProductsInput!) { recordArchivedProducts(input: $input) { __typename ... on DomainError { message } } }`;
const VERIFY = `mutation ($input: RecordVerificationInput!) { recordVerification(input: $input) { __typename ... on DomainError { message } } }`;
const REVIEW = `mutation ($input: ReviewObservationInput!) { reviewObservation(input: $input) { __typename ... on DomainError { message } } }`;
const FINDING = `mutation ($input: RecordFindingInput!) { recordFinding(input: $input) { __typename ... on DomainError { message } } }`;

function minutesAfter(start: string, minutes: number): string {
  return new Date(Date.parse(start) + minutes * 60_000).toISOString().replace('.000Z', 'Z');
}

/** Instants between seed steps, for the time control: the log as it was at each. */
export interface SeedMarks {
  /** After the features were proposed and before anything was delivered. */
  readonly afterProposals: string;
}

/** Seeds the server; every step goes through a mutation and must succeed. */
export async function seed(client: GraphQLClient): Promise<SeedMarks> {
  for (const feature of SEED_FEATURES) {
    await client(PROPOSE, {
      input: {
        featureKey: feature.key,
        title: feature.title,
        subsystem: feature.subsystem,
        components: feature.components,
        requirementRefs: [feature.requirement],
        scores: { userBusinessValue: 8, timeCriticality: 5, riskReductionOpportunityEnablement: 5, jobSize: 3 },
        verificationEffort: feature.key === 'SDP-NOISE-DIODE' ? 2 : 3,
        evidenceCriteria: { band: feature.band, product: feature.product, minReceptors: 16, minOnTargetSeconds: 600 },
        proposedAt: '2019-02-01T09:00:00Z',
      },
    });
  }

  // Record times are the server's clock, so the mark sits between two steps a few milliseconds apart.
  await new Promise((resolve) => setTimeout(resolve, 20));
  const afterProposals = new Date().toISOString();
  await new Promise((resolve) => setTimeout(resolve, 20));

  const delivered = SEED_FEATURES.filter((feature) => feature.key !== 'CAM-SCHEDULER-UI').map((feature) => feature.key);
  await client(RECORD_CHANGE, {
    input: {
      changeId: 'CHG-2019-031',
      kind: 'software',
      subsystem: 'SDP',
      components: ['cbf.fengine', 'sdp.ingest'],
      deliversFeatures: delivered,
      summary: 'katsdpcontroller 4.2 with 1K start-delay correction and noise-diode firing',
      version: '4.2.0',
      recordedAt: '2019-02-28T12:00:00Z',
    },
  });
  await client(DEPLOY, { input: { changeId: 'CHG-2019-031', deploymentId: 'CHG-2019-031-d1', deployedAt: DEPLOYED_AT, scope: { subarray: 'array_1' } } });

  const receptors = Array.from({ length: 58 }, (_, index) => `m${String(index).padStart(3, '0')}`);
  for (const observation of SEED_OBSERVATIONS) {
    await client(FACTS, {
      input: {
        observationId: observation.id,
        facts: {
          captureBlockId: observation.id,
          proposalId: observation.proposal,
          description: observation.description,
          startUtc: observation.start,
          endUtc: minutesAfter(observation.start, observation.minutes),
          band: observation.band,
          product: observation.product,
          receptors,
          targets: [{ name: 'PKS 1934-63', tags: ['bpcal', 'fluxcal'] }],
          compoundScans: [{ kind: 'track', target: 'PKS 1934-63', durationSeconds: observation.minutes * 60 - 60 }],
        },
      },
    });
    await client(PRODUCTS, {
      input: { observationId: observation.id, products: [{ name: `${observation.id}-sdp-l0`, archivedAt: minutesAfter(observation.start, observation.minutes + 30) }] },
    });
  }

  await client(VERIFY, { input: { featureKey: 'SDP-QUORUM', outcome: 'PASSED', observationIds: ['1551890000'], notes: 'no stragglers dropped the capture', verifiedAt: '2019-03-07T09:00:00Z' } });

  // A later change touching a component of the verified feature makes it suspect.
  await client(RECORD_CHANGE, {
    input: { changeId: 'CHG-2019-040', kind: 'configuration', subsystem: 'SDP', components: ['sdp.controller'], summary: 'Capture-init timeout raised to 120 s', recordedAt: '2019-03-07T10:00:00Z' },
  });
  await client(DEPLOY, { input: { changeId: 'CHG-2019-040', deploymentId: 'CHG-2019-040-d1', deployedAt: '2019-03-07T12:00:00Z' } });
  await client(REVIEW, { input: { observationId: '1551803062', level: 'INSPECTED', notes: 'bandpass flat' } });
  await client(REVIEW, { input: { observationId: '1551890000', level: 'AUTOMATED_QA' } });
  await client(FINDING, {
    input: {
      findingId: 'FND-1',
      title: HOSTILE_TITLE,
      symptom: 'Capture stalls when a receptor straggles at capture-init.',
      cause: 'ingest waited for every receptor',
      workaround: 'Restart the capture with the straggler excluded.',
      links: { components: ['sdp.ingest'], observationIds: ['1551803062'] },
    },
  });
  return { afterProposals };
}
