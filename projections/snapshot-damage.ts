/**
 * A part of a snapshot that passed the checksum but cannot be read, found when the part is first
 * used after the start: only faulty code or an edit that recomputed the checksum writes one.
 */
export class SnapshotDamagedError extends Error {
  override readonly name = 'SnapshotDamagedError';
}

/** Called once when a restored part turns out to be damaged, so the owner can rebuild. */
export type DamageListener = (error: SnapshotDamagedError) => void;

/** Runs `read`; a failure becomes a `SnapshotDamagedError` naming `part`. */
export function readPart<T>(part: string, read: () => T): T {
  try {
    return read();
  } catch (error) {
    if (error instanceof SnapshotDamagedError) throw error;
    throw new SnapshotDamagedError(`the snapshot's ${part} cannot be read: ${(error as Error).message}`);
  }
}
