/** Names of the files onsky keeps in its data folder (`--data`, default `./data`). */
export const DATA_FILES = {
  events: 'events.sqlite',
  snapshot: 'projections.snapshot',
  tokens: 'tokens.sqlite',
  importIndexes: 'import-indexes.cache',
  importLock: 'import.lock',
} as const;
