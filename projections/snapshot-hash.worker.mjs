// @ts-check
/**
 * The worker thread of `openSnapshot` (snapshot.ts): computes the SHA-256 of a snapshot's body
 * while the main thread reads and parses it, so a start from a snapshot waits for the longest of
 * the three rather than all of them. Plain JavaScript because Node.js 20 loads no TypeScript
 * hooks in a worker.
 *
 * Messages in: first `{ buffer }`, the SharedArrayBuffer the file is read into. Then `{ upTo }` as
 * the read goes on: the bytes read so far that belong to the body. Last `{ end }`, the body's
 * length. Message out: the digest of the first `end` bytes as lowercase hex.
 */
import { createHash } from 'node:crypto';
import { parentPort } from 'node:worker_threads';

const port = /** @type {import('node:worker_threads').MessagePort} */ (parentPort);
/** @type {Uint8Array | null} */
let bytes = null;
let hash = createHash('sha256');
let hashed = 0;

port.on('message', (/** @type {{ buffer?: SharedArrayBuffer, upTo?: number, end?: number }} */ message) => {
  if (message.buffer !== undefined) {
    bytes = new Uint8Array(message.buffer);
    return;
  }
  if (bytes === null) return;
  const target = message.end ?? message.upTo ?? hashed;
  if (target < hashed) {
    // Only a damaged file ends before bytes already hashed: hash its body again from the start.
    hash = createHash('sha256');
    hashed = 0;
  }
  hash.update(bytes.subarray(hashed, target));
  hashed = target;
  if (message.end !== undefined) port.postMessage(hash.digest('hex'));
});
