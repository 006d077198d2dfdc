// multipart/form-data uploads (files, edge-app versions). Every other body is JSON whatever its
// Content-Type (parse-json-body.ts); multipart bodies go to @fastify/multipart instead and are read
// only by routes whose config says `multipart: true`; elsewhere they are a 400 naming the problem.
import fastifyMultipart from '@fastify/multipart';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { AppError, BadRequestError } from '../../aam/errors.js';

declare module 'fastify' {
  interface FastifyContextConfig {
    /** The route reads a multipart/form-data body (`readMultipart`). */
    multipart?: boolean;
  }
  interface FastifyInstance {
    /** Largest accepted file part in bytes (config `maxUploadBytes`). */
    maxUploadBytes: number;
  }
}

/** One part of a multipart body, read into memory (uploads are capped at `maxUploadBytes`). */
export interface MultipartPart {
  field: string;
  /** Set for file parts (a `filename` in Content-Disposition). */
  filename: string | undefined;
  mime: string | undefined;
  data: Buffer;
}

export async function installMultipart(app: FastifyInstance, maxUploadBytes: number): Promise<void> {
  app.decorate('maxUploadBytes', maxUploadBytes);
  await app.register(fastifyMultipart, {
    throwFileSizeLimit: true,
    limits: { fileSize: maxUploadBytes, fieldSize: maxUploadBytes, files: 16, fields: 16, parts: 32, headerPairs: 100 },
  });
  app.addHook('preValidation', async (request) => {
    if (request.isMultipart() && !request.routeOptions.config.multipart) {
      throw new BadRequestError(`${request.method} ${request.routeOptions.url ?? request.url} takes a JSON body, not multipart/form-data`);
    }
  });
}

/** Reads every part; 400 when the body is not multipart, 413 when a part is over the limit. */
export async function readMultipart(request: FastifyRequest, expected: string): Promise<MultipartPart[]> {
  if (!request.isMultipart()) throw new BadRequestError(`expected a multipart/form-data body with ${expected}`);
  const parts: MultipartPart[] = [];
  try {
    await collect(request, parts);
  } catch (err) {
    if ((err as { code?: string }).code === 'FST_REQ_FILE_TOO_LARGE') {
      throw new AppError(413, `a file part is larger than the upload limit of ${request.server.maxUploadBytes} bytes`);
    }
    const status = (err as { status?: number; statusCode?: number }).status ?? (err as { statusCode?: number }).statusCode;
    if (err instanceof AppError || (typeof status === 'number' && status >= 400 && status < 500)) throw err;
    // busboy's own parse errors (truncated body, bad headers) carry no status: the body is bad.
    throw new BadRequestError(`malformed multipart/form-data body: ${(err as Error).message}`);
  }
  return parts;
}

/** Parts are held in memory: a request carries at most this many times the per-part limit. */
export const totalUploadFactor = 4;

async function collect(request: FastifyRequest, parts: MultipartPart[]): Promise<void> {
  const totalLimit = request.server.maxUploadBytes * totalUploadFactor;
  let total = 0;
  for await (const part of request.parts()) {
    if (part.type === 'file') {
      parts.push({ field: part.fieldname, filename: part.filename, mime: part.mimetype, data: await part.toBuffer() });
    } else {
      if (part.valueTruncated) throw new AppError(413, `field ${part.fieldname} is larger than the upload limit`);
      const value = part.value;
      const data = Buffer.isBuffer(value) ? value : Buffer.from(typeof value === 'string' ? value : JSON.stringify(value), 'utf8');
      parts.push({ field: part.fieldname, filename: undefined, mime: part.mimetype, data });
    }
    total += parts[parts.length - 1].data.length;
    if (total > totalLimit) throw new AppError(413, `upload larger than ${totalLimit} bytes in total (${totalUploadFactor} × the limit of ${request.server.maxUploadBytes} bytes per file)`);
  }
}
