/**
 * Import-format detection for the web UI's Import page. The page sends a file's first bytes and
 * name, and the server applies the rules of `onsky import auto` and of the upload endpoint's
 * `format=auto`, so the label the page shows is the format an import would use.
 */
import { z } from 'zod';
import { detectFromText, type Detection } from '../../importers/detect.js';
import { builder } from './builder.js';

/** Longest `head` accepted, in characters: the detector reads a file's first 16 KiB, and decoding 16 KiB of bytes gives at most as many characters. */
export const DETECT_HEAD_MAX_CHARS = 16 * 1024;

const DetectedFormatType = builder.objectRef<Detection>('DetectedImportFormat').implement({
  description: 'The import format detected from the start of a file and its name.',
  fields: (t) => ({
    format: t.exposeString('format', { description: 'Importer name, as the upload endpoint and `onsky import` take it, e.g. obslog.' }),
    reason: t.exposeString('reason', { description: 'The evidence for the guess, e.g. a "features:" list.' }),
  }),
});

builder.queryFields((t) => ({
  detectImportFormat: t.field({
    type: DetectedFormatType,
    nullable: true,
    description: 'The import format of a file from its first lines and, when those are not conclusive, its name; null when nothing matches. Nothing is recorded.',
    args: {
      head: t.arg.string({
        required: true,
        description: `The start of the file as text, at most ${DETECT_HEAD_MAX_CHARS} characters (its first 16 KiB).`,
        validate: z.string().max(DETECT_HEAD_MAX_CHARS, `head must be at most ${DETECT_HEAD_MAX_CHARS} characters; send only the first 16 KiB of the file`),
      }),
      fileName: t.arg.string({ required: true, description: 'The file name, e.g. obslog-20190308.log; only its last path segment counts.' }),
    },
    resolve: (_root, args) => detectFromText(args.head, args.fileName) ?? null,
  }),
}));
