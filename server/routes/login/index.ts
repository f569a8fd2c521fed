// 單一登入: certificate login, password login, re-binding a renewed card, logout, 忘記密碼 and 解除鎖定 with the card.
import type { FastifyPluginAsync } from 'fastify';
import type { Config } from '../../config';
import chooser from './chooser';
import certificateLogin from './certificate';
import passwordLogin from './password';
import rebind from './rebind';
import logout from './logout';
import recover from './recover';

const login: FastifyPluginAsync<{ config: Config }> = async (app, { config }) => {
  await app.register(chooser);
  await app.register(certificateLogin, { config });
  await app.register(passwordLogin, { config });
  await app.register(rebind, { config });
  await app.register(logout, { config });
  await app.register(recover, { config });
};

export default login;
