/**
 * Serves the built web UI (Vite's output folder, dist/ui) with a Content-Security-Policy, or a
 * short page saying how to build it when the folder is missing.
 */
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { extname, join, normalize, sep } from 'node:path';

/**
 * Scripts, styles, images and connections only from this server. Styles allow inline style
 * attributes and elements, which Lit may insert where constructable stylesheets are missing.
 */
export const CONTENT_SECURITY_POLICY = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data:",
  "font-src 'self'",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'self'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ');

const CONTENT_TYPES: Readonly<Record<string, string>> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.map': 'application/json',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
  '.txt': 'text/plain; charset=utf-8',
};

const NOT_BUILT_PAGE = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>onsky</title></head>
<body><main>
<h1>onsky is running, but its web UI is not built</h1>
<p>Build it with <code>npm run build:ui</code> (it writes <code>dist/ui</code>), then reload this page.</p>
<p>The GraphQL API is at <a href="/graphql">/graphql</a>.</p>
</main></body></html>
`;

function securityHeaders(response: ServerResponse): void {
  response.setHeader('Content-Security-Policy', CONTENT_SECURITY_POLICY);
  response.setHeader('X-Content-Type-Options', 'nosniff');
  response.setHeader('Referrer-Policy', 'no-referrer');
}

/** Serves a file of `folder`, or its index.html for paths without a file (client-side routes). */
export async function serveUi(request: IncomingMessage, response: ServerResponse, folder: string, pathname: string): Promise<void> {
  securityHeaders(response);
  if (request.method !== 'GET' && request.method !== 'HEAD') {
    response.writeHead(405, { Allow: 'GET, HEAD', 'Content-Type': 'text/plain; charset=utf-8' }).end('only GET and HEAD are allowed here\n');
    return;
  }

  const index = join(folder, 'index.html');
  if (!(await isFile(index))) {
    response.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8', 'Cache-Control': 'no-store' }).end(request.method === 'HEAD' ? undefined : NOT_BUILT_PAGE);
    return;
  }

  let decoded: string;
  try {
    decoded = decodeURIComponent(pathname);
  } catch {
    response.writeHead(400, { 'Content-Type': 'text/plain; charset=utf-8' }).end(`path ${pathname} is not valid percent-encoding\n`);
    return;
  }
  // normalize() resolves `..`; a path that still leaves the folder is not served.
  const candidate = normalize(join(folder, decoded));
  const inside = candidate === folder || candidate.startsWith(folder.endsWith(sep) ? folder : folder + sep);
  const file = inside && (await isFile(candidate)) ? candidate : index;
  const hashed = file !== index && /\/assets\//.test(file);
  response.writeHead(200, {
    'Content-Type': CONTENT_TYPES[extname(file)] ?? 'application/octet-stream',
    // Vite puts content hashes in asset names, so they never change; index.html must be revalidated.
    'Cache-Control': hashed ? 'public, max-age=31536000, immutable' : 'no-cache',
  });
  if (request.method === 'HEAD') {
    response.end();
    return;
  }
  createReadStream(file).pipe(response);
}

async function isFile(path: string): Promise<boolean> {
  try {
    return (await stat(path)).isFile();
  } catch {
    return false;
  }
}
