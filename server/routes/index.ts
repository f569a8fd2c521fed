// Every journey's routes, one folder each.
import type { FastifyPluginAsync } from 'fastify';
import type { Config } from '../config';
import health from './health';
import favicon from './favicon';
import language from './language';
import infoPages from './info/pages';
import downloads from './downloads/index';
import signingCallback from './signing/callback';
import login from './login/index';
import account from './account/index';
import admin from './admin/index';

const routes: FastifyPluginAsync<{ config: Config }> = async (app, { config }) => {
  await app.register(health);
  await app.register(favicon);
  await app.register(language);
  await app.register(infoPages, { config });
  await app.register(downloads, { config });
  await app.register(signingCallback);
  await app.register(login, { config });
  await app.register(account);
  await app.register(import('./register/index'), { config });
  await app.register(admin, { prefix: '/admin', config });
};

export default routes;
