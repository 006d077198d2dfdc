// Raw multipart/form-data bodies as Lynx clients send them, built by hand so tests control every
// header: node-lynx (FormData, field `file` or `app_lua`/`app_json`) and go-lynx (a part whose
// field name is the quoted file name, with its own Content-Type).
import { randomBytes } from 'node:crypto';

export interface RawPart {
  /** The Content-Disposition `name`, written as given (quote escaping is the caller's). */
  name: string;
  filename?: string;
  contentType?: string;
  data: Buffer | string;
}

export function multipartBody(parts: RawPart[]): { body: Buffer; contentType: string } {
  const boundary = `----lynxtest${randomBytes(8).toString('hex')}`;
  const chunks: Buffer[] = [];
  for (const part of parts) {
    let head = `--${boundary}\r\nContent-Disposition: form-data; name="${part.name}"`;
    if (part.filename !== undefined) head += `; filename="${part.filename}"`;
    head += '\r\n';
    if (part.contentType) head += `Content-Type: ${part.contentType}\r\n`;
    chunks.push(Buffer.from(`${head}\r\n`), Buffer.isBuffer(part.data) ? part.data : Buffer.from(part.data), Buffer.from('\r\n'));
  }
  chunks.push(Buffer.from(`--${boundary}--\r\n`));
  return { body: Buffer.concat(chunks), contentType: `multipart/form-data; boundary=${boundary}` };
}

/** go-lynx's quoteEscaper: backslash and double quote escaped with a backslash. */
export function goQuote(name: string): string {
  return name.replace(/\\/g, '\\\\').replace(/"/g, '\\"');
}

export interface RawReply {
  status: number;
  headers: Headers;
  bytes: Buffer;
  json: any;
}

export async function sendMultipart(baseUrl: string, method: string, path: string, headers: Record<string, string>, parts: RawPart[]): Promise<RawReply> {
  const { body, contentType } = multipartBody(parts);
  return rawRequest(baseUrl, method, path, { ...headers, 'Content-Type': contentType }, body);
}

export async function rawRequest(baseUrl: string, method: string, path: string, headers: Record<string, string>, body?: Buffer): Promise<RawReply> {
  const res = await fetch(baseUrl + path, { method, headers, body });
  const bytes = Buffer.from(await res.arrayBuffer());
  let json: unknown;
  try {
    json = JSON.parse(bytes.toString('utf8'));
  } catch {
    json = undefined;
  }
  return { status: res.status, headers: res.headers, bytes, json };
}
