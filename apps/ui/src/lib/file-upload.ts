// A browser File as the base64 the tRPC upload takes. tRPC has no multipart, so the bytes travel
// inside a JSON body that the server caps at 8 MiB: base64 grows them by a third, hence the
// browser-side limit below (the server's own size limit and allow-list still apply).
import { fileExtensionMimes } from '@lynx/shared';

export const maxBrowserUploadBytes = 6 * 1024 * 1024;

export function bytesToBase64(bytes: Uint8Array): string {
  let out = '';
  // btoa takes a binary string; building it in chunks keeps String.fromCharCode's argument list short.
  for (let i = 0; i < bytes.length; i += 0x8000) out += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(out);
}

/** Why a file cannot be sent from the browser, or null. */
export function uploadProblem(file: { name: string; size: number }): string | null {
  if (file.size === 0) return `"${file.name}" is empty.`;
  if (file.size > maxBrowserUploadBytes)
    return `"${file.name}" is ${(file.size / 1024 / 1024).toFixed(1)} MB; the admin UI uploads files up to 6 MB. Upload larger files over the REST API (POST /api/v2/file/installation/<id>, multipart).`;
  return null;
}

/** The MIME type to declare: the browser's, else the first the server accepts for the extension. */
export function mimeFor(file: { name: string; type: string }): string | undefined {
  if (file.type) return file.type;
  const ext = file.name.split('.').pop()?.toLowerCase() ?? '';
  return fileExtensionMimes[ext]?.[0];
}

export const acceptedExtensions = Object.keys(fileExtensionMimes);
