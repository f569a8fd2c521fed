// 單一登入: certificate login, password login, re-binding a renewed card, logout.
import type { FastifyPluginAsync } from 'fastify';
import type { Config } from '../../config';
import chooser from './chooser';
import certificateLogin from './certificate';
import passwordLogin from './password';
import rebind from './rebind';
import logout from './logout';

const login: FastifyPluginAsync<{ config: Config }> = async (app, { config }) => {
  await app.register(chooser);
  await app.register(certificateLogin, { config });
  await app.register(passwordLogin, { config });
  await app.register(rebind, { config });
  await app.register(logout, { config });
};

export default login;
