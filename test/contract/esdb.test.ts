import { randomUUID } from 'node:crypto';
import { openEsdbStore } from '../../store/esdb.js';
import { EsdbStandIn } from '../support/esdb-standin.js';
import { eventStoreContract } from './suite.js';

// Each test gets its own stand-in node, so every test starts from an empty log.
eventStoreContract('EventStoreDB (stand-in)', async (options) => {
  const standIn = await EsdbStandIn.start();
  const store = openEsdbStore(standIn.url, { upcasters: options?.upcasters });
  return {
    store,
    close: async () => {
      await store.close();
      await standIn.close();
    },
  };
});

// The other wire path (plain Append, for servers that do not offer BatchAppend) and appends that
// trust a young id cache, which must still meet the contract within one process.
eventStoreContract('EventStoreDB (stand-in, Append call, young id cache)', async (options) => {
  const standIn = await EsdbStandIn.start({ batchAppend: false });
  const store = openEsdbStore(standIn.url, { upcasters: options?.upcasters, idCacheTrustMs: 60_000 });
  return {
    store,
    close: async () => {
      await store.close();
      await standIn.close();
    },
  };
});

// Against a real node or cluster, each test writes under its own namespace, so the log it reads is
// empty although the server keeps every earlier run's events.
const realServer = process.env.EVENTSTORE_URL;
if (realServer !== undefined && realServer !== '') {
  eventStoreContract(`EventStoreDB at ${realServer}`, async (options) => {
    const store = openEsdbStore(realServer, { upcasters: options?.upcasters, namespace: `contract-${randomUUID()}-` });
    return { store, close: () => store.close() };
  });
}
