/**
 * The import upload: POST the file's bytes to `api/import?format=&dryRun=` with the bearer
 * token. XMLHttpRequest rather than fetch, because it reports upload progress. The server responds
 * with the import summary as JSON; when it streams newline-delimited JSON instead, each line
 * before the last is a progress report and the last is the summary. Before the upload, the
 * server detects the file's format from its start.
 */
import { request, storedToken } from './client.js';

export const IMPORT_PATH = 'api/import';

export interface ImportWarning {
  readonly message: string;
  readonly file?: string;
  readonly line?: number | string | null;
  readonly locator?: string | null;
}

export interface ImportSummary {
  readonly format: string;
  readonly file: string;
  readonly dryRun: boolean;
  readonly read: number;
  readonly appended: number;
  readonly duplicates: number;
  /** Records that carry nothing onsky records (an obslog's track lines, for example). */
  readonly untracked: number;
  readonly warnings: readonly ImportWarning[];
  readonly eventTypes: Readonly<Record<string, number>>;
  /** Features each deployment delivered or marked suspect (or, in a dry run, would). */
  readonly reactions: readonly { readonly line: number; readonly changeId: string; readonly featureKey: string; readonly action: string }[];
}

export interface ImportProgress {
  /** Fraction of the file's bytes sent, 0 to 1. */
  readonly uploaded: number;
  /** Records the server has read so far, when it reports them. */
  readonly read: number | null;
  readonly appended: number | null;
}

export interface DetectedFormat {
  readonly format: string;
  /** The evidence, shown next to the guess. */
  readonly reason: string;
}

/** Bytes sent from the start of the file for detection; the server's detector reads no more. */
const SNIFF_BYTES = 16 * 1024;

const DETECT_QUERY = /* GraphQL */ `
  query DetectImportFormat($head: String!, $fileName: String!) {
    detectImportFormat(head: $head, fileName: $fileName) {
      format
      reason
    }
  }
`;

/**
 * Asks the server for the file's import format from its first 16 KiB and its name, with the
 * rules `format=auto` and `onsky import auto` apply, so the page never labels a file differently
 * from the import. Returns null when no rule matches; throws `ApiError` when the request fails.
 */
export async function detectFormat(file: File, signal?: AbortSignal): Promise<DetectedFormat | null> {
  const head = await file.slice(0, SNIFF_BYTES).text();
  const data = await request<{ detectImportFormat: DetectedFormat | null }>(DETECT_QUERY, { head, fileName: file.name }, signal);
  return data.detectImportFormat;
}

/**
 * Returns why a file cannot be an import source, before anything is sent: it is empty, or its
 * first 16 KiB contain a NUL byte, which text logs and exports do not contain. The server rejects
 * such a file too. Returns null for a file that may be text.
 */
export async function unreadableReason(file: File): Promise<string | null> {
  if (file.size === 0) return `${file.name} is empty, so there is nothing to import; check that you picked the right file.`;
  const head = new Uint8Array(await file.slice(0, SNIFF_BYTES).arrayBuffer());
  if (head.includes(0)) {
    return `${file.name} contains NUL bytes, so it looks like a binary file (an archive, image or database) rather than a text log or export; pick the text file instead.`;
  }
  return null;
}

/** Uploads a file for import; rejects with the server's message when it refuses. */
export function uploadImport(
  file: File,
  options: { readonly format: string | null; readonly dryRun: boolean },
  onProgress: (progress: ImportProgress) => void,
): Promise<ImportSummary> {
  const params = new URLSearchParams({ dryRun: String(options.dryRun), file: file.name });
  if (options.format !== null) params.set('format', options.format);

  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    let uploaded = 0;
    let seen = 0;
    let read: number | null = null;
    let appended: number | null = null;

    xhr.open('POST', `${IMPORT_PATH}?${params.toString()}`);
    xhr.setRequestHeader('Content-Type', 'application/octet-stream');
    xhr.setRequestHeader('Accept', 'application/x-ndjson, application/json');
    const token = storedToken();
    if (token !== null) xhr.setRequestHeader('Authorization', `Bearer ${token}`);

    xhr.upload.onprogress = (event) => {
      if (event.lengthComputable) uploaded = event.loaded / event.total;
      onProgress({ uploaded, read, appended });
    };
    xhr.onprogress = () => {
      // Streamed progress lines: `{"read":N,"appended":M}`.
      const text = xhr.responseText;
      const lines = text.slice(seen).split('\n');
      seen = text.length - (lines.at(-1)?.length ?? 0);
      for (const line of lines.slice(0, -1)) {
        const report = parseLine(line);
        if (report !== null && typeof report['read'] === 'number') {
          read = report['read'];
          appended = typeof report['appended'] === 'number' ? report['appended'] : appended;
          onProgress({ uploaded: 1, read, appended });
        }
      }
    };
    xhr.onerror = () => reject(new Error('The upload failed: the server could not be reached. Check that `onsky serve` is running and try again.'));
    xhr.onload = () => {
      const text = xhr.responseText.trim();
      const last = parseLine(text.split('\n').at(-1) ?? '');
      if (xhr.status >= 400) {
        const message = errorMessageOf(last) ?? `The import failed with HTTP ${xhr.status}; check the server log`;
        // A 403 message names the role needed; a 401 message only reports a missing or invalid token.
        reject(new Error(`${message}${xhr.status === 401 ? ' (importing needs a token; set one under "Token" in the header)' : ''}`));
        return;
      }
      const summary = (last !== null && 'summary' in last ? last['summary'] : last) as ImportSummary | null;
      if (summary === null || typeof summary.read !== 'number') {
        reject(new Error('The server response has no import summary. Check the server log for this import.'));
        return;
      }
      resolve(summary);
    };
    xhr.send(file);
  });
}

/** Finds the message in the error shapes servers use: `{error}`, `{message}`, `{error: {message}}`, `{errors: [{message}]}`. */
function errorMessageOf(body: Record<string, unknown> | null): string | null {
  if (body === null) return null;
  const error = body['error'];
  if (typeof error === 'string') return error;
  if (typeof error === 'object' && error !== null && typeof (error as { message?: unknown }).message === 'string') return (error as { message: string }).message;
  if (typeof body['message'] === 'string') return body['message'];
  const errors = body['errors'];
  if (Array.isArray(errors)) {
    const messages = errors.map((item: unknown) => (item as { message?: unknown }).message).filter((message): message is string => typeof message === 'string');
    if (messages.length > 0) return messages.join('; ');
  }
  return null;
}

function parseLine(line: string): Record<string, unknown> | null {
  try {
    const value: unknown = JSON.parse(line);
    return typeof value === 'object' && value !== null ? (value as Record<string, unknown>) : null;
  } catch {
    return null;
  }
}
