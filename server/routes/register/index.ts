// 註冊 > 工商、自然人憑證註冊: the chooser, the business page, the 新版自然人憑證註冊 steps and the company and agency steps;
// 註冊 > 通關專屬憑證註冊, whose category choice starts the same company steps.
import type { FastifyPluginAsync } from 'fastify';
import type { Config } from '../../config';
import chooser from './chooser';
import business from './business';
import citizen from './citizen';
import check, { CHECKS_PER_MINUTE } from './check';
import certificateStep from './certificate';
import confirm from './confirm';
import done from './done';
import organisationCertificate from './organisation-certificate';
import organisationDetails from './organisation-details';
import organisationConfirm from './organisation-confirm';
import customsCertificate from './customs-certificate';

const register: FastifyPluginAsync<{ config: Config }> = async (app, { config }) => {
  // One limit for both ways of asking 檢核是否存在, so switching between them does not double the quota.
  const checkLimit = app.createRateLimit({ max: CHECKS_PER_MINUTE, timeWindow: 60_000 });
  await app.register(chooser);
  await app.register(business);
  await app.register(citizen, { config, checkLimit });
  await app.register(check, { checkLimit });
  await app.register(certificateStep, { config });
  await app.register(confirm, { config });
  await app.register(done);
  // Companies and agencies (工商憑證, 政府憑證, 通關專屬憑證); after the citizen steps, whose 'register' completion the
  // organisation certificate page wraps.
  await app.register(organisationCertificate, { config });
  await app.register(organisationDetails);
  await app.register(organisationConfirm);
  await app.register(customsCertificate);
};

export default register;
