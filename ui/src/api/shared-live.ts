/**
 * One `logMoved` event stream for all tabs of a browser. A browser opens at most six HTTP/1.1
 * connections to a host, shared by its tabs, and an event stream keeps one open for good: with a
 * stream per tab, the seventh tab could not even load. The tab that gets the Web Lock named below
 * opens the stream and passes each position to the other tabs over a BroadcastChannel. When that
 * tab closes, the lock passes to another tab, which opens the stream in turn.
 */
import { subscribe } from './client.js';

const LOCK_NAME = 'onsky-log-moved';
const CHANNEL_NAME = 'onsky-log-moved';
const LOG_MOVED_SUBSCRIPTION = /* GraphQL */ `subscription LogMoved { logMoved { position } }`;

/** A message between tabs: a position the stream pushed, or the stream's connection state. */
type LiveMessage = { readonly position: string | null } | { readonly connected: boolean };

/**
 * Calls `onPosition` with every log position pushed, and `onStatus` when the stream connects or
 * drops, whichever tab keeps it. Returns a function that stops listening and, in the tab that
 * keeps the stream, closes it so that another tab can take over.
 */
export function followLogPosition(onPosition: (position: string | null) => void, onStatus: (connected: boolean) => void): () => void {
  if (typeof BroadcastChannel === 'undefined' || navigator.locks === undefined) {
    return subscribe<{ logMoved: { position: string | null } }>(LOG_MOVED_SUBSCRIPTION, {}, (data) => onPosition(data.logMoved.position), onStatus);
  }

  const channel = new BroadcastChannel(CHANNEL_NAME);
  channel.onmessage = (event: MessageEvent<LiveMessage>) => {
    if ('position' in event.data) onPosition(event.data.position);
    else onStatus(event.data.connected);
  };
  const stopped = new AbortController();
  let release: (() => void) | undefined;

  navigator.locks
    .request(LOCK_NAME, { signal: stopped.signal }, () => {
      // This tab now holds the stream; it keeps the lock until `stop` resolves the promise.
      const stop = subscribe<{ logMoved: { position: string | null } }>(
        LOG_MOVED_SUBSCRIPTION,
        {},
        (data) => {
          onPosition(data.logMoved.position);
          channel.postMessage({ position: data.logMoved.position } satisfies LiveMessage);
        },
        (connected) => {
          onStatus(connected);
          channel.postMessage({ connected } satisfies LiveMessage);
        },
      );
      return new Promise<void>((resolve) => {
        release = () => {
          stop();
          resolve();
        };
      });
    })
    .catch(() => {
      // The request was aborted by `stop` before this tab got the lock.
    });
  // A tab that follows another's stream counts as live until that stream reports a drop.
  onStatus(true);

  return () => {
    stopped.abort();
    release?.();
    channel.close();
  };
}
