import fp from 'fastify-plugin';
import type { Pool } from '../db/pool';

declare module 'fastify' {
  interface FastifyInstance {
    db: Pool;
  }
}

export default fp<{ pool: Pool }>(
  async (app, { pool }) => {
    app.decorate('db', pool);
  },
  { name: 'db' },
);
