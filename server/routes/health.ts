import type { FastifyPluginAsync } from 'fastify';
import { ping } from '../db/pool';

/** /healthz: the process answers. /readyz: it can reach the database. */
const health: FastifyPluginAsync = async (app) => {
  app.get('/healthz', async () => ({ status: 'ok' }));
  app.get('/readyz', async (_request, reply) => {
    try {
      await ping(app.db);
      return { status: 'ready' };
    } catch {
      return reply.code(503).send({ status: 'database unavailable' });
    }
  });
};

export default health;
