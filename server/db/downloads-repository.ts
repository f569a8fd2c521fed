import type { Db } from './pool';

/** One item of the 軟體下載 catalogue. filePath is relative to the project root. */
export interface Download {
  id: number;
  slug: string;
  titleZh: string;
  titleEn: string;
  descriptionZh: string;
  descriptionEn: string;
  publishedOn: string;
  version: string;
  fileName: string;
  filePath: string;
  contentType: string;
  priority: number;
}

export type DownloadItem = Omit<Download, 'id'>;

const COLUMNS = `id, slug, title_zh, title_en, description_zh, description_en, published_on, version,
  file_name, file_path, content_type, priority`;

interface DownloadRow {
  id: number;
  slug: string;
  title_zh: string;
  title_en: string;
  description_zh: string;
  description_en: string;
  published_on: string;
  version: string;
  file_name: string;
  file_path: string;
  content_type: string;
  priority: number;
}

export function toDownload(row: DownloadRow): Download {
  return {
    id: row.id,
    slug: row.slug,
    titleZh: row.title_zh,
    titleEn: row.title_en,
    descriptionZh: row.description_zh,
    descriptionEn: row.description_en,
    publishedOn: row.published_on,
    version: row.version,
    fileName: row.file_name,
    filePath: row.file_path,
    contentType: row.content_type,
    priority: row.priority,
  };
}

export function downloadsRepository(db: Db) {
  return {
    /** Newest first; on the same date the higher priority first. */
    async list(): Promise<Download[]> {
      const { rows } = await db.query<DownloadRow>(
        `SELECT ${COLUMNS} FROM downloads ORDER BY published_on DESC, priority DESC, id`,
      );
      return rows.map(toDownload);
    },
    async findBySlug(slug: string): Promise<Download | undefined> {
      const { rows } = await db.query<DownloadRow>(`SELECT ${COLUMNS} FROM downloads WHERE slug = $1`, [slug]);
      return rows[0] && toDownload(rows[0]);
    },
    /** Inserts the item or brings an existing one (same slug) up to date. */
    async upsert(item: DownloadItem): Promise<void> {
      await db.query(
        `INSERT INTO downloads (slug, title_zh, title_en, description_zh, description_en, published_on, version,
           file_name, file_path, content_type, priority)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)
         ON CONFLICT (slug) DO UPDATE SET
           title_zh = EXCLUDED.title_zh, title_en = EXCLUDED.title_en,
           description_zh = EXCLUDED.description_zh, description_en = EXCLUDED.description_en,
           published_on = EXCLUDED.published_on, version = EXCLUDED.version, file_name = EXCLUDED.file_name,
           file_path = EXCLUDED.file_path, content_type = EXCLUDED.content_type, priority = EXCLUDED.priority`,
        [
          item.slug,
          item.titleZh,
          item.titleEn,
          item.descriptionZh,
          item.descriptionEn,
          item.publishedOn,
          item.version,
          item.fileName,
          item.filePath,
          item.contentType,
          item.priority,
        ],
      );
    },
    async deleteBySlug(slug: string): Promise<boolean> {
      const { rowCount } = await db.query('DELETE FROM downloads WHERE slug = $1', [slug]);
      return (rowCount ?? 0) > 0;
    },
  };
}
