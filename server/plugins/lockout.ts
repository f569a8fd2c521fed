// The password lockout service (server/auth/lockout.ts), one per app, with the policy from the configuration.
import fp from 'fastify-plugin';
import type { Config } from '../config';
import { createLockout, lockoutPolicy, type Lockout } from '../auth/lockout';

declare module 'fastify' {
  interface FastifyInstance {
    lockout: Lockout;
  }
}

export default fp<{ config: Config }>(
  async (app, { config }) => {
    app.decorate('lockout', createLockout(app.db, lockoutPolicy(config)));
  },
  { name: 'lockout', dependencies: ['db', 'clock'] },
);
