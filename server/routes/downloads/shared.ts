// What the 軟體下載 pages share: an item in the request's language, and a file size as the pages show it.
import type { FastifyRequest } from 'fastify';
import type { Download } from '../../db/downloads-repository';

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

/** 5.7 KB, 12.3 MB: short and readable in both languages. */
export function formatSize(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KB`;
  return `${(bytes / 1024 / 1024).toFixed(1)} MB`;
}
