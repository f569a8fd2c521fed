import type { FastifyPluginAsync } from 'fastify';
import type { Config } from '../../config';
import { downloadsRepository } from '../../db/downloads-repository';
import { installerPlatformOf, shippedFilePath } from '../../downloads/catalogue';
import { fileInfo } from '../../downloads/file-info';
import { installSteps, signerCheck, signerCheckCsp } from './installer-page';
import { formatSize, localised } from './shared';

const detail: FastifyPluginAsync<{ config: Config }> = async (app, { config }) => {
  app.get<{ Params: { slug: string } }>('/downloads/:slug', async (request, reply) => {
    const item = await downloadsRepository(app.db).findBySlug(request.params.slug);
    const path = item && shippedFilePath(item);
    const info = path && (await fileInfo(path));
    if (!item || !info) {
      if (item)
        request.log.warn({ slug: item.slug, filePath: item.filePath }, 'download listed but its file is missing');
      return reply.callNotFound();
    }
    const t = request.t;
    const shown = localised(request, item);
    const platform = installerPlatformOf(item.slug);
    if (platform) {
      const csp = reply.getHeader('content-security-policy') ?? reply.raw.getHeader('content-security-policy');
      if (typeof csp === 'string') reply.header('content-security-policy', signerCheckCsp(csp, config.signerUrl));
    }
    return reply.page('downloads/detail', {
      pageTitle: shown.title,
      breadcrumb: [
        { label: t('common.menu.downloadsGroup') },
        { label: t('downloads.title'), href: '/downloads' },
        { label: shown.title },
      ],
      item: shown,
      file: {
        href: `/downloads/${item.slug}/file`,
        size: formatSize(info.size),
        bytes: info.size,
        sha256: info.sha256,
      },
      steps: platform ? installSteps(app.messages, request.lang, platform, item.fileName) : [],
      signerCheck: platform ? signerCheck(config.signerUrl, request.lang) : undefined,
    });
  });
};

export default detail;
