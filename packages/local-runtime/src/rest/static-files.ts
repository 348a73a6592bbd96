import { readFileSync, statSync } from 'node:fs';
import { extname, resolve, sep } from 'node:path';

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.htm': 'text/html; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.json': 'application/json',
  '.map': 'application/json',
  '.txt': 'text/plain; charset=utf-8',
  '.xml': 'application/xml',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.gif': 'image/gif',
  '.webp': 'image/webp',
  '.ico': 'image/x-icon',
  '.woff': 'font/woff',
  '.woff2': 'font/woff2',
  '.wasm': 'application/wasm',
  '.pdf': 'application/pdf',
};

/**
 * `sam local start-api --static-dir DIR` (default `public`): a file of DIR is served at its path from `/`
 * (`DIR/css/app.css` at `/css/app.css`) when no API route takes the request. Nothing outside DIR is reachable.
 */
export const staticFile = (
  directory: string,
  method: string,
  decodedPath: string,
): { status: 200; headers: Record<string, string>; body: Buffer } | undefined => {
  if (method !== 'GET' && method !== 'HEAD') return undefined;
  const root = resolve(directory);
  const file = resolve(root, `.${decodedPath}`);
  if (!file.startsWith(root + sep)) return undefined;
  try {
    if (!statSync(file).isFile()) return undefined;
    const type = CONTENT_TYPES[extname(file).toLowerCase()] ?? 'application/octet-stream';
    return { status: 200, headers: { 'Content-Type': type }, body: readFileSync(file) };
  } catch {
    return undefined;
  }
};
