// 單一登入: certificate login (自然人憑證; 工商憑證, 政府憑證, 通關專屬憑證), password login, re-binding a renewed card, logout.
import type { FastifyPluginAsync } from 'fastify';
import type { Config } from '../../config';
import chooser from './chooser';
import certificateLogin from './certificate';
import passwordLogin from './password';
import rebind from './rebind';
import logout from './logout';
import organisationCertificateLogin from './organisation-certificate';

const login: FastifyPluginAsync<{ config: Config }> = async (app, { config }) => {
  await app.register(chooser);
  await app.register(certificateLogin, { config });
  await app.register(passwordLogin, { config });
  await app.register(rebind, { config });
  await app.register(logout, { config });
  // 工商憑證登入: after the citizen login, whose 'login' completion it wraps.
  await app.register(organisationCertificateLogin, { config });
};

export default login;
