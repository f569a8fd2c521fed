// Every journey's routes, one folder each.
import type { FastifyPluginAsync } from 'fastify';
import type { Config } from '../config';
import health from './health';
import language from './language';
import infoPages from './info/pages';
import downloads from './downloads/index';

const routes: FastifyPluginAsync<{ config: Config }> = async (app, { config }) => {
  await app.register(health);
  await app.register(language);
  await app.register(infoPages, { config });
  await app.register(downloads);
};

export default routes;
