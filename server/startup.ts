// Services that run beside the HTTP server: expired-row cleanup now; the demo signer joins with the signer issue.
import type { FastifyInstance } from 'fastify';
import type { Config } from './config';
import { sessionsRepository } from './db/sessions-repository';

export interface BackgroundServices {
  stop(): Promise<void>;
}

export async function startBackgroundServices(app: FastifyInstance, _config: Config): Promise<BackgroundServices> {
  const cleanup = setInterval(() => {
    sessionsRepository(app.db).deleteExpired(new Date()).catch((error) => app.log.warn({ err: error }, 'session cleanup failed'));
  }, 10 * 60_000);
  cleanup.unref();
  return {
    async stop() {
      clearInterval(cleanup);
    },
  };
}
