import { resolve } from 'node:path';
import type { FastifyRequest } from 'fastify';
import type { Download } from '../../db/downloads-repository';
import { PROJECT_ROOT } from './catalogue';

/** The item's title and description in the request's language. */
export function localised(request: FastifyRequest, item: Download) {
  const en = request.lang === 'en';
  return {
    slug: item.slug,
    title: en ? item.titleEn : item.titleZh,
    description: en ? item.descriptionEn : item.descriptionZh,
    publishedOn: item.publishedOn,
    version: item.version,
    fileName: item.fileName,
  };
}

/** The file on disk: file_path is relative to the project root (or absolute), written only by the catalogue sync. */
export function absolutePath(item: Download): string {
  return resolve(PROJECT_ROOT, item.filePath);
}
