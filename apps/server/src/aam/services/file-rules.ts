// Which uploads are accepted (spec 1.15): node-lynx's client-side allow-list of extensions and
// MIME types, enforced here so other clients (go-lynx, curl) meet the same rules.
import { fileExtensionMimes } from '@lynx/shared';
import { AppError, BadRequestError } from '../errors.js';

export const maxFileNameLength = 255;

/** Parts without a type, and browsers' FormData blobs, arrive as application/octet-stream. */
const genericMimes = new Set(['', 'application/octet-stream']);

/** The stored file name: the last path segment of what the client sent. */
export function cleanFileName(raw: string | undefined): string {
  const name = (raw ?? '').split(/[\\/]/).pop()!.trim();
  if (!name) throw new BadRequestError('invalid file: the part has no file name (Content-Disposition filename)');
  if (name.length > maxFileNameLength) throw new BadRequestError(`invalid file name: longer than ${maxFileNameLength} characters`);
  if (/[\u0000-\u001f]/.test(name)) throw new BadRequestError('invalid file name: control characters are not allowed');
  return name;
}

/** The MIME type to store for this name and declared type, or a 400 naming what is not allowed. */
export function acceptedMime(name: string, declared: string | undefined): string {
  const dot = name.lastIndexOf('.');
  const ext = dot > 0 ? name.slice(dot + 1).toLowerCase() : '';
  const mimes = fileExtensionMimes[ext];
  if (!mimes) {
    throw new BadRequestError(`file type ${ext ? `.${ext}` : '(no extension)'} of "${name}" is not allowed; allowed: ${Object.keys(fileExtensionMimes).join(', ')}`);
  }
  const mime = (declared ?? '').split(';')[0].trim().toLowerCase();
  if (genericMimes.has(mime) && !mimes.includes(mime)) return mimes[0];
  if (!mimes.includes(mime)) throw new BadRequestError(`MIME type ${mime} is not allowed for .${ext} files (allowed: ${mimes.join(', ')})`);
  return mime;
}

export function checkFileSize(name: string, size: number, limit: number): void {
  if (size > limit) throw new AppError(413, `file "${name}" is ${size} bytes: larger than the limit of ${limit} bytes`);
}
