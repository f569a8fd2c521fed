import type { FastifyPluginAsync } from 'fastify';
import type { Config } from '../../config';

/** Static content pages: their text lives in the locale files and templates. */
const infoPages: FastifyPluginAsync<{ config: Config }> = async (app) => {
  app.get('/', async (_request, reply) => reply.page('index'));
};

export default infoPages;
