import type { GraphQLEnumType, GraphQLInputObjectType, GraphQLInterfaceType, GraphQLNamedType, GraphQLObjectType, GraphQLUnionType } from 'graphql';
import { describe, expect, it } from 'vitest';
import type { DomainErrorKind } from '../../domain/index.js';
import { onskySchema } from '../../api/schema/index.js';

const BUILT_IN = new Set(['String', 'Int', 'Float', 'Boolean', 'ID']);

// Vitest loads graphql-js twice (ESM for this file, CommonJS for Pothos), so the `isObjectType`
// family rejects the schema's types; the class names identify them instead.
function isObjectType(type: GraphQLNamedType | null | undefined): type is GraphQLObjectType {
  return type?.constructor.name === 'GraphQLObjectType';
}

function isInterfaceType(type: GraphQLNamedType | null | undefined): type is GraphQLInterfaceType {
  return type?.constructor.name === 'GraphQLInterfaceType';
}

function isInputObjectType(type: GraphQLNamedType | null | undefined): type is GraphQLInputObjectType {
  return type?.constructor.name === 'GraphQLInputObjectType';
}

function isEnumType(type: GraphQLNamedType | null | undefined): type is GraphQLEnumType {
  return type?.constructor.name === 'GraphQLEnumType';
}

function isUnionType(type: GraphQLNamedType | null | undefined): type is GraphQLUnionType {
  return type?.constructor.name === 'GraphQLUnionType';
}

describe('schema', () => {
  it('documents every type, field and argument', () => {
    const undocumented: string[] = [];
    for (const type of Object.values(onskySchema().getTypeMap())) {
      if (type.name.startsWith('__') || BUILT_IN.has(type.name)) continue;
      if (!type.description) undocumented.push(type.name);
      if (isObjectType(type) || isInterfaceType(type) || isInputObjectType(type)) {
        for (const field of Object.values(type.getFields())) {
          if (!field.description) undocumented.push(`${type.name}.${field.name}`);
          for (const arg of 'args' in field ? field.args : []) {
            if (!arg.description) undocumented.push(`${type.name}.${field.name}(${arg.name})`);
          }
        }
      }
      if (isEnumType(type)) {
        for (const value of type.getValues()) if (!value.description) undocumented.push(`${type.name}.${value.name}`);
      }
    }
    expect(undocumented).toEqual([]);
  });

  it('types every domain error', () => {
    const kinds: Record<DomainErrorKind, true> = {
      InvalidValue: true,
      InvalidWsjfScore: true,
      FeatureAlreadyExists: true,
      FeatureNotFound: true,
      FeatureNotAwaitingVerification: true,
      InvalidFeatureTransition: true,
      VerificationAlreadyRecorded: true,
      EvidenceMissing: true,
      DeliveringChangeMismatch: true,
      ObservationNotFound: true,
      ObservationBeforeDeployment: true,
      EvidenceCriteriaUnmet: true,
      ChangeAlreadyRecorded: true,
      ChangeNotFound: true,
      DeploymentAlreadyRecorded: true,
      ChangeNotDeployed: true,
      IdentifierAlreadyLinked: true,
      IdentifierNotLinked: true,
      FindingAlreadyRecorded: true,
      FindingNotFound: true,
    };
    const schema = onskySchema();
    for (const kind of [...Object.keys(kinds), 'ConcurrencyConflict']) {
      const type = schema.getType(kind);
      expect(isObjectType(type), kind).toBe(true);
      if (isObjectType(type)) expect(type.getInterfaces().map((face) => face.name)).toEqual(['DomainError']);
    }
  });

  it('returns a result union from every command mutation', () => {
    const schema = onskySchema();
    for (const field of Object.values(schema.getMutationType()!.getFields())) {
      if (field.name === 'createToken' || field.name === 'revokeToken') continue;
      const type = schema.getType(field.type.toString().replace('!', ''));
      expect(isUnionType(type), field.name).toBe(true);
      if (isUnionType(type)) expect(type.getTypes().map((member) => member.name)).toContain('ConcurrencyConflict');
    }
  });

  it('uses connections for entity lists', () => {
    const query = onskySchema().getQueryType()!.getFields();
    for (const name of ['features', 'changes', 'observations', 'tickets', 'findings']) {
      expect(query[name]!.type.toString(), name).toMatch(/Connection!$/);
    }
    const feature = onskySchema().getType('Feature');
    expect(isObjectType(feature)).toBe(true);
    if (isObjectType(feature)) expect(feature.getFields().verifications!.type.toString()).toBe('FeatureVerificationsConnection!');
  });
});
