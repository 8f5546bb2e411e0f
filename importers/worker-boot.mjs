// Entry of the importers' worker threads: registers tsx in the thread, as the `onsky` launcher
// does in the main one, so that the worker's TypeScript module (named in workerData) runs as it is.
import { workerData } from 'node:worker_threads';
import { register } from 'tsx/esm/api';

register();
await import(workerData.module);
