/**
 * `POST /api/import`: imports an uploaded file as `onsky import` does. The body is the raw file or
 * a multipart form with one file part. The query parameter `format` names the importer (`auto` or
 * omitted: detected from the content and the file name), and `dryRun=true` previews the events
 * without appending them.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import type { IncomingMessage } from 'node:http';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import type { Logger } from 'pino';
import { detectFormat, FORMATS, type ImportFormat } from '../../importers/detect.js';
import type { EventStore } from '../../store/port.js';
import type { CommandHandler } from '../commands/handler.js';
import { roleAllows, type Role } from '../auth/roles.js';
import type { Actor } from '../context.js';
import { HttpError } from './guards.js';

export interface UploadServices {
  readonly store: EventStore;
  readonly commands: CommandHandler;
  readonly logger: Logger;
  readonly indexCacheFile?: string;
  /** Lock file that lets one import at a time write to the store; see import-lock.ts. */
  readonly importLockFile?: string;
}

export interface UploadRequest {
  readonly url: URL;
  readonly request: IncomingMessage;
  readonly body: Buffer;
  readonly actor: Actor;
  readonly requestId: string;
}

/**
 * Formats whose records are commissioning decisions, with the lowest role that may import them:
 * a plan proposes and rescores features, and a journal delivers and verifies them and reviews
 * observations, which the API allows a commissioner alone.
 */
const DECISION_FORMATS: Readonly<Partial<Record<ImportFormat, Role>>> = { plan: 'commissioner', journal: 'commissioner' };

function checkFormatRole(format: ImportFormat, actor: Actor): void {
  const required = DECISION_FORMATS[format];
  if (required === undefined || roleAllows(actor.role, required)) return;
  throw new HttpError(
    403,
    'FORBIDDEN',
    `importing a ${format} needs role ${required} or above, because its entries are commissioning decisions, and this token has role ${actor.role}; ask a ${required} to import it or an admin for a token with that role`,
  );
}

/** Imports the uploaded file and returns the import summary as JSON-ready data. */
export async function importUpload(services: UploadServices, upload: UploadRequest): Promise<unknown> {
  const requested = upload.url.searchParams.get('format') ?? 'auto';
  if (requested !== 'auto' && !(FORMATS as readonly string[]).includes(requested)) {
    throw new HttpError(400, 'BAD_USER_INPUT', `query parameter format=${requested} is not an import format; use auto or one of ${FORMATS.join(', ')}, e.g. /api/import?format=obslog`);
  }
  const dryRunParameter = upload.url.searchParams.get('dryRun') ?? 'false';
  if (dryRunParameter !== 'true' && dryRunParameter !== 'false') {
    throw new HttpError(400, 'BAD_USER_INPUT', `query parameter dryRun=${dryRunParameter} must be true or false`);
  }
  const { name, bytes } = await fileOf(upload);

  // The importers read files from disk (the git importer a folder), so the upload is written to a private temp folder first.
  const folder = await mkdtemp(join(tmpdir(), 'onsky-upload-'));
  const path = join(folder, name);
  try {
    await writeFile(path, bytes);
    const format = requested === 'auto' ? await detectedFormat(path, name) : (requested as ImportFormat);
    checkFormatRole(format, upload.actor);
    const { importFile } = await import('../imports.js');
    const started = performance.now();
    const summary = await importFile({
      store: services.store,
      format,
      path,
      fileLabel: name,
      actor: upload.actor.name,
      dryRun: dryRunParameter === 'true',
      handler: services.commands,
      ...(services.indexCacheFile === undefined ? {} : { indexCacheFile: services.indexCacheFile }),
      ...(services.importLockFile === undefined
        ? {}
        : {
            lockFile: services.importLockFile,
            onLockWait: (holder: string) => services.logger.info({ requestId: upload.requestId, file: name, holder }, 'upload waits for another import to finish'),
            onNotice: (message: string) => services.logger.warn({ requestId: upload.requestId, file: name }, message),
          }),
    });
    services.logger.info(
      {
        requestId: upload.requestId,
        actor: upload.actor.name,
        format,
        file: name,
        bytes: bytes.length,
        dryRun: summary.dryRun,
        read: summary.read,
        appended: summary.appended,
        warnings: summary.warnings.length,
        ms: Math.round(performance.now() - started),
      },
      'upload imported',
    );
    return summary;
  } catch (error) {
    if (error instanceof Error && error.name === 'ImportError') {
      throw new HttpError(400, 'IMPORT_FAILED', `import of ${name} as ${requested} failed: ${error.message}`);
    }
    if (error instanceof Error && error.name === 'ImportLockError') {
      services.logger.error({ requestId: upload.requestId, file: name, err: error }, 'upload cannot take the import lock');
      throw new HttpError(503, 'IMPORT_LOCK_UNUSABLE', `import of ${name} was not started: ${error.message}`);
    }
    throw error;
  } finally {
    await rm(folder, { recursive: true, force: true });
  }
}

async function detectedFormat(path: string, name: string): Promise<ImportFormat> {
  const detection = await detectFormat(path);
  if (detection === undefined) {
    throw new HttpError(400, 'BAD_USER_INPUT', `the format of ${name} could not be detected; name it with ?format=, one of ${FORMATS.join(', ')}`);
  }
  return detection.format;
}

/** The part of the web `File` interface the upload uses. */
interface UploadedFile {
  readonly name: string;
  arrayBuffer(): Promise<ArrayBuffer>;
}

async function fileOf(upload: UploadRequest): Promise<{ name: string; bytes: Buffer }> {
  const contentType = upload.request.headers['content-type'] ?? '';
  const queryName = upload.url.searchParams.get('file');
  if (!contentType.toLowerCase().startsWith('multipart/form-data')) {
    return { name: safeName(queryName ?? 'upload'), bytes: upload.body };
  }

  const form = await new Request('http://upload.invalid/', { method: 'POST', headers: { 'content-type': contentType }, body: new Uint8Array(upload.body) })
    .formData()
    .catch((error: unknown) => {
      throw new HttpError(400, 'BAD_USER_INPUT', `multipart body could not be read: ${error instanceof Error ? error.message : String(error)}`);
    });
  const files = [...form.values()].filter((value) => typeof value !== 'string') as unknown as UploadedFile[];
  if (files.length !== 1) {
    throw new HttpError(400, 'BAD_USER_INPUT', `multipart upload must contain exactly one file, found ${files.length}`);
  }
  const file = files[0]!;
  return { name: safeName(queryName ?? file.name), bytes: Buffer.from(await file.arrayBuffer()) };
}

/** Keeps the last path segment of a client-supplied name, so an upload cannot leave its temp folder. */
function safeName(name: string): string {
  const last = basename(name.replace(/\\/g, '/'));
  return last === '' || last === '.' || last === '..' ? 'upload' : last.slice(0, 200);
}
