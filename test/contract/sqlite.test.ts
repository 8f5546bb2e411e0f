import { join } from 'node:path';
import { openSqliteStore } from '../../store/sqlite.js';
import { tempFolder } from '../support/temp.js';
import { eventStoreContract, eventually } from './suite.js';

// Each test gets its own store file on disk, so WAL, fsync and file locking are all real.
eventStoreContract('SQLite', async (options) => {
  const folder = tempFolder('onsky-contract-');
  const store = openSqliteStore(join(folder.path, 'events.sqlite'), { upcasters: options?.upcasters });
  return {
    store,
    close: async () => {
      await store.close();
      folder.remove();
    },
  };
});

// The same contract with every append written by the store's writer thread, on its own
// connection to the file, as `onsky import` writes.
eventStoreContract('SQLite with a writer thread', async (options) => {
  const folder = tempFolder('onsky-contract-writer-');
  const store = openSqliteStore(join(folder.path, 'events.sqlite'), { upcasters: options?.upcasters, writerThread: true, writerThreadMinEvents: 1 });
  await eventually(() => store.writerThreadRunning, 30_000);
  return {
    store,
    close: async () => {
      await store.close();
      folder.remove();
    },
  };
});
