/**
 * Roles and the permission matrix: which role may run each mutation. Roles are ordered, and each
 * role may do everything the roles before it may do.
 */

export const ROLES = ['viewer', 'engineer', 'commissioner', 'admin'] as const;

export type Role = (typeof ROLES)[number];

export function isRole(value: string): value is Role {
  return (ROLES as readonly string[]).includes(value);
}

/** True when `role` is `required` or a role after it. */
export function roleAllows(role: Role, required: Role): boolean {
  return ROLES.indexOf(role) >= ROLES.indexOf(required);
}

/**
 * The lowest role allowed to run each GraphQL mutation (and the upload import). Reading needs
 * `viewer`. The README's "Roles" table shows the same matrix; change both together.
 */
export const MUTATION_ROLES = {
  // Engineering records: changes, observations, tickets, findings and catalogued targets.
  recordChange: 'engineer',
  deployChange: 'engineer',
  rollBackChange: 'engineer',
  recordObservationFacts: 'engineer',
  linkObservationIdentifier: 'engineer',
  unlinkObservationIdentifier: 'engineer',
  noteObservationAnomaly: 'engineer',
  recordArchivedProducts: 'engineer',
  recordTicket: 'engineer',
  recordFinding: 'engineer',
  reviseFinding: 'engineer',
  linkFinding: 'engineer',
  recordTarget: 'engineer',
  importFile: 'engineer',
  // Commissioning decisions: features, scores, evidence criteria, tickets, verifications, reviews, suspicion.
  proposeFeature: 'commissioner',
  deliverFeature: 'commissioner',
  rescoreFeature: 'commissioner',
  setEvidenceCriteria: 'commissioner',
  setFeatureTickets: 'commissioner',
  recordVerification: 'commissioner',
  markFeatureSuspect: 'commissioner',
  clearSuspicion: 'commissioner',
  withdrawFeature: 'commissioner',
  reviewObservation: 'commissioner',
  // Access control.
  createToken: 'admin',
  revokeToken: 'admin',
} as const satisfies Record<string, Role>;

export type MutationName = keyof typeof MUTATION_ROLES;

/** Queries that only an admin may run; every other query needs `viewer`. */
export const ADMIN_QUERIES = ['tokens'] as const;
