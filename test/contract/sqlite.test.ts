import { join } from 'node:path';
import { openSqliteStore } from '../../store/sqlite.js';
import { tempFolder } from '../support/temp.js';
import { eventStoreContract } from './suite.js';

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
