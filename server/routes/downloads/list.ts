import type { FastifyPluginAsync } from 'fastify';
import { downloadsRepository } from '../../db/downloads-repository';
import { localised } from './shared';

const list: FastifyPluginAsync = async (app) => {
  app.get('/downloads', async (request, reply) => {
    const items = await downloadsRepository(app.db).list();
    const t = request.t;
    return reply.page('downloads/index', {
      pageTitle: t('downloads.title'),
      breadcrumb: [{ label: t('common.menu.downloadsGroup') }, { label: t('downloads.title') }],
      items: items.map((item) => localised(request, item)),
    });
  });
};

export default list;
