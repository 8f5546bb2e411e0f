/**
 * The shape every domain event and command shares. Domain events carry no envelope: the store
 * adds id, stream, revision, position and metadata, and the schema version comes from the
 * owning aggregate's table of current versions.
 */
export interface DomainEvent<Type extends string = string, Data = unknown> {
  readonly type: Type;
  readonly data: Data;
}

export interface DomainCommand<Type extends string = string, Data = unknown> {
  readonly type: Type;
  readonly data: Data;
}
