/**
 * Domain errors as GraphQL types. Each `DomainError` kind, and the handler's `ConcurrencyConflict`,
 * becomes an object type implementing `DomainError` with its message and the offending values as
 * fields. Mutations return them as members of their result unions.
 */
import type { DomainErrorKind, UnmetCriterion } from '../../domain/index.js';
import type { CommandFailure } from '../commands/handler.js';
import { builder } from './builder.js';

/** GraphQL type of each field an error carries. */
type FieldKind = 'String' | 'String?' | 'Float' | 'Int' | 'Boolean' | '[String]' | '[Float]' | '[UnmetCriterion]';

/** Every failure kind with its fields beside `kind` and `message`; a new domain error fails to compile until listed. */
const ERROR_FIELDS = {
  InvalidValue: { field: 'String', value: 'String', expected: 'String' },
  InvalidWsjfScore: { field: 'String', value: 'Float', allowed: '[Float]' },
  FeatureAlreadyExists: { featureKey: 'String' },
  FeatureNotFound: { featureKey: 'String' },
  FeatureNotAwaitingVerification: { featureKey: 'String', status: 'String' },
  InvalidFeatureTransition: { featureKey: 'String', status: 'String', command: 'String', allowedStatuses: '[String]' },
  VerificationAlreadyRecorded: { featureKey: 'String', verificationId: 'String' },
  EvidenceMissing: { featureKey: 'String' },
  DeliveringChangeMismatch: { featureKey: 'String', expectedChangeId: 'String', givenChangeId: 'String?' },
  ObservationNotFound: { observationId: 'String' },
  ObservationBeforeDeployment: { featureKey: 'String', observationId: 'String', observationStartUtc: 'String?', requiredAfterUtc: 'String' },
  EvidenceCriteriaUnmet: { featureKey: 'String', observationId: 'String', unmet: '[UnmetCriterion]' },
  ChangeAlreadyRecorded: { changeId: 'String' },
  ChangeNotFound: { changeId: 'String' },
  DeploymentAlreadyRecorded: { changeId: 'String', deploymentId: 'String', rolledBack: 'Boolean' },
  ChangeNotDeployed: { changeId: 'String', status: 'String' },
  IdentifierAlreadyLinked: { observationId: 'String', identifier: 'String' },
  IdentifierNotLinked: { observationId: 'String', identifier: 'String' },
  FindingAlreadyRecorded: { findingId: 'String' },
  FindingNotFound: { findingId: 'String' },
  ConcurrencyConflict: { stream: 'String', attempts: 'Int' },
} as const satisfies Record<DomainErrorKind | 'ConcurrencyConflict', Record<string, FieldKind>>;

type FailureKind = keyof typeof ERROR_FIELDS;

/** Type descriptions, shown in GraphiQL. */
const ERROR_DESCRIPTIONS: Readonly<Record<FailureKind, string>> = {
  InvalidValue: 'A command field whose value is malformed: an empty key, a bad timestamp, an unknown kind.',
  InvalidWsjfScore: 'A WSJF score or verification effort that is not on the modified Fibonacci scale.',
  FeatureAlreadyExists: 'A feature with this key was already proposed.',
  FeatureNotFound: 'No feature has this key.',
  FeatureNotAwaitingVerification: 'Only a delivered or suspect feature can have a verification recorded.',
  InvalidFeatureTransition: "The command is not allowed in the feature's current status.",
  VerificationAlreadyRecorded: 'A verification with this id is already recorded for the feature.',
  EvidenceMissing: 'A passed verification must cite at least one observation.',
  DeliveringChangeMismatch: 'The deployment passed with a verification is missing or belongs to another change.',
  ObservationNotFound: 'No observation has this id.',
  ObservationBeforeDeployment: 'A cited observation started before the deployment it must follow.',
  EvidenceCriteriaUnmet: "A cited observation does not meet the feature's evidence criteria.",
  ChangeAlreadyRecorded: 'A change with this id is already recorded.',
  ChangeNotFound: 'No change has this id.',
  DeploymentAlreadyRecorded: 'A deployment with this id is already recorded for the change.',
  ChangeNotDeployed: 'The change has no deployment in service to roll back.',
  IdentifierAlreadyLinked: 'The identifier already names this observation.',
  IdentifierNotLinked: 'The identifier is not linked to this observation.',
  FindingAlreadyRecorded: 'A finding with this id is already recorded.',
  FindingNotFound: 'No finding has this id.',
  ConcurrencyConflict: 'Other writers kept changing the stream while the command was decided; retry the command.',
};

/** Descriptions of the error fields, by field name; shown in GraphiQL. */
const FIELD_DESCRIPTIONS: Readonly<Record<string, string>> = {
  field: 'The input field whose value was rejected.',
  value: 'The rejected value.',
  expected: 'What the field accepts.',
  allowed: 'The values the field accepts.',
  featureKey: 'Key of the feature concerned.',
  status: 'Current status of the entity.',
  command: 'The command that was rejected.',
  allowedStatuses: 'Statuses in which the command is allowed.',
  verificationId: 'Id of the verification concerned.',
  expectedChangeId: 'The change that delivered the feature.',
  givenChangeId: 'The change the request named, or null when none.',
  observationId: 'Id of the observation concerned (its capture block id, or sb-<schedule block id>).',
  observationStartUtc: 'Start of the observation (ISO 8601 UTC), or null when unknown.',
  requiredAfterUtc: 'Evidence must start at or after this instant (ISO 8601 UTC).',
  unmet: 'Every evidence criterion the observation does not meet.',
  changeId: 'Id of the change concerned.',
  deploymentId: 'Id of the deployment concerned.',
  rolledBack: 'True when the deployment was rolled back.',
  identifier: 'The capture block or schedule block identifier concerned.',
  findingId: 'Id of the finding concerned.',
  stream: 'The stream that kept changing.',
  attempts: 'How many times the command was decided before giving up.',
};

/** Thrown by mutation resolvers so that the errors plugin returns the failure as a typed result. */
export class CommandError extends Error {
  constructor(readonly failure: CommandFailure) {
    super(failure.message);
  }
}

export const UnmetCriterionType = builder.objectRef<UnmetCriterion>('UnmetCriterion').implement({
  description: 'An evidence criterion an observation does not meet, with the required and the actual value.',
  fields: (t) => ({
    criterion: t.exposeString('criterion', { description: 'Criterion name: band, product, min-receptors, min-on-target-time, target-tags, scan-kind, taken-after-delivery or not-discarded.' }),
    required: t.field({ type: 'JSON', nullable: true, description: 'The required value: a string, a number or a list of strings.', resolve: (unmet) => unmet.required }),
    actual: t.field({ type: 'JSON', nullable: true, description: "The observation's value, or null when the fact is unknown.", resolve: (unmet) => unmet.actual }),
    message: t.exposeString('message', { description: 'Why the criterion is not met, in a sentence.' }),
  }),
});

export const DomainErrorInterface = builder.interfaceRef<CommandError>('DomainError').implement({
  description: 'A command the domain rejected: which rule failed, on which value, and what to do instead.',
  fields: (t) => ({
    kind: t.string({ description: 'The error kind; equal to the GraphQL type name.', resolve: (error) => error.failure.kind }),
    message: t.string({ description: 'What failed, on which value, and how to fix it; safe to show to users as it is.', resolve: (error) => error.failure.message }),
  }),
});

function errorClass(kind: FailureKind): typeof CommandError {
  const named = class extends CommandError {};
  Object.defineProperty(named, 'name', { value: `${kind}Error` });
  return named;
}

/** One class per failure kind, so the errors plugin can match a thrown error to its GraphQL type. */
export const ERROR_CLASSES = Object.fromEntries(
  (Object.keys(ERROR_FIELDS) as FailureKind[]).map((kind) => [kind, errorClass(kind)]),
) as Record<FailureKind, typeof CommandError>;

/** All error classes, for a mutation's `errors.types`. */
export const COMMAND_ERROR_TYPES = Object.values(ERROR_CLASSES);

/** Builds the thrown error for a command failure. */
export function commandError(failure: CommandFailure): CommandError {
  return new ERROR_CLASSES[failure.kind](failure);
}

function valueOf(error: CommandError, field: string): unknown {
  return (error.failure as unknown as Record<string, unknown>)[field];
}

for (const kind of Object.keys(ERROR_FIELDS) as FailureKind[]) {
  const fields = ERROR_FIELDS[kind] as Readonly<Record<string, FieldKind>>;
  builder.objectType(ERROR_CLASSES[kind], {
    name: kind,
    description: ERROR_DESCRIPTIONS[kind],
    interfaces: [DomainErrorInterface],
    isTypeOf: (value) => value instanceof ERROR_CLASSES[kind],
    fields: (t) =>
      Object.fromEntries(
        Object.entries(fields).map(([name, type]) => {
          const description = FIELD_DESCRIPTIONS[name] ?? name;
          const resolve = (error: CommandError): never => valueOf(error, name) as never;
          switch (type) {
            case 'String':
              return [name, t.string({ description, resolve })];
            case 'String?':
              return [name, t.string({ description, nullable: true, resolve })];
            case 'Float':
              return [name, t.float({ description, resolve })];
            case 'Int':
              return [name, t.int({ description, resolve })];
            case 'Boolean':
              return [name, t.boolean({ description, resolve })];
            case '[String]':
              return [name, t.stringList({ description, resolve })];
            case '[Float]':
              return [name, t.floatList({ description, resolve })];
            case '[UnmetCriterion]':
              return [name, t.field({ type: [UnmetCriterionType], description, resolve })];
          }
        }),
      ),
  });
}
