// Stored files (spec 1.15, 2.11): owned by an installation or an organization, downloaded by hash.
import { z } from 'zod';

export const storedFileSchema = z.object({
  id: z.number().int(),
  hash: z.string(),
  name: z.string(),
  mime: z.string(),
  /** 0 for organization files. */
  installation_id: z.number().int(),
  /** 0 for installation files. */
  organization_id: z.number().int(),
  created: z.number().int(),
  updated: z.number().int(),
});
export type StoredFile = z.infer<typeof storedFileSchema>;

/** node-lynx's client-side rules (NL+ src/file_rules.ts): extension → accepted MIME types. */
export const fileExtensionMimes: Readonly<Record<string, readonly string[]>> = {
  jpg: ['image/jpeg'],
  jpeg: ['image/jpeg'],
  png: ['image/png'],
  gif: ['image/gif'],
  svg: ['image/svg+xml'],
  webp: ['image/webp'],
  bmp: ['image/bmp'],
  tif: ['image/tiff'],
  tiff: ['image/tiff'],
  pdf: ['application/pdf'],
  doc: ['application/msword'],
  docx: ['application/vnd.openxmlformats-officedocument.wordprocessingml.document'],
  xls: ['application/vnd.ms-excel'],
  xlsx: ['application/vnd.openxmlformats-officedocument.spreadsheetml.sheet'],
  csv: ['text/csv'],
  md: ['text/markdown'],
  txt: ['text/plain'],
  json: ['application/json'],
  xml: ['application/xml', 'text/xml'],
  bin: ['application/octet-stream', 'application/x-binary', 'application/x-firmware'],
  hex: ['application/x-ihex', 'application/octet-stream'],
  fw: ['application/x-firmware', 'application/octet-stream'],
  dfu: ['application/x-dfu', 'application/octet-stream'],
  img: ['application/x-raw-disk-image', 'application/octet-stream'],
  upd: ['application/x-upgrade', 'application/octet-stream'],
  wav: ['audio/wav', 'audio/x-wav'],
  mp3: ['audio/mpeg'],
  ogg: ['audio/ogg'],
  m4a: ['audio/mp4', 'audio/aac'],
  aac: ['audio/aac'],
  flac: ['audio/flac'],
  amr: ['audio/amr'],
  zip: ['application/zip'],
};
