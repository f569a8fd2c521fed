import { createReadStream } from 'node:fs';
import type { FastifyPluginAsync } from 'fastify';
import { downloadsRepository } from '../../db/downloads-repository';
import { shippedFilePath } from '../../downloads/catalogue';
import { fileInfo } from '../../downloads/file-info';

/** RFC 6266: an ASCII fallback name and the exact name in RFC 5987 encoding. */
export function contentDisposition(fileName: string): string {
  const ascii = fileName.replace(/[^\x20-\x7e]/g, '_').replace(/["\\]/g, '_');
  return `attachment; filename="${ascii}"; filename*=UTF-8''${encodeURIComponent(fileName)}`;
}

const file: FastifyPluginAsync = async (app) => {
  app.get<{ Params: { slug: string } }>('/downloads/:slug/file', async (request, reply) => {
    const item = await downloadsRepository(app.db).findBySlug(request.params.slug);
    const path = item && shippedFilePath(item);
    const info = path && (await fileInfo(path));
    if (!item || !path || !info) {
      if (item)
        request.log.warn({ slug: item.slug, filePath: item.filePath }, 'download listed but its file is missing');
      return reply.callNotFound();
    }
    return reply
      .type(item.contentType)
      .header('content-length', info.size)
      .header('content-disposition', contentDisposition(item.fileName))
      .header('x-content-type-options', 'nosniff')
      .header('cache-control', 'no-cache')
      .send(createReadStream(path));
  });
};

export default file;
