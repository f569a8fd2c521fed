// Services that run beside the HTTP server: the download catalogue brought up to date, expired-row cleanup, and
// e-mails due another try; the demo signer joins with the signer issue.
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import type { Config } from './config';
import { HOUSEKEEPING_INTERVAL_MS, purgeExpiredRows } from './housekeeping';
import { syncDownloadsCatalogue, type SyncOptions } from './downloads/catalogue';
import { RETRY_INTERVAL_MS } from './notify/notifier';

export interface BackgroundServices {
  stop(): Promise<void>;
}

export interface StartupOptions {
  /** Where the certificate component's packages and their manifest are; default DATA_DIR/installers. */
  downloads?: SyncOptions;
  /** How often expired sessions and challenges are deleted (tests make it short). */
  housekeepingIntervalMs?: number;
  /** How often failed e-mails are looked at for another try. */
  mailRetryIntervalMs?: number;
}

export async function startBackgroundServices(
  app: FastifyInstance,
  config: Config,
  options: StartupOptions = {},
): Promise<BackgroundServices> {
  try {
    const listed = await syncDownloadsCatalogue(app.db, {
      log: (message) => app.log.warn(message),
      installersDir: join(config.dataDir, 'installers'),
      ...options.downloads,
    });
    app.log.info({ listed }, 'download catalogue up to date');
  } catch (error) {
    // The catalogue is not worth refusing to start for; the list shows what the table holds.
    app.log.error({ err: error }, 'download catalogue sync failed');
  }
  const cleanup = setInterval(() => {
    purgeExpiredRows(app.db, app.now()).then(
      (purged) => app.log.debug(purged, 'expired rows purged'),
      (error) => app.log.warn({ err: error }, 'expired-row cleanup failed'),
    );
  }, options.housekeepingIntervalMs ?? HOUSEKEEPING_INTERVAL_MS);
  cleanup.unref();
  const mailRetry = setInterval(() => {
    app.notifier.retryDue().then(
      (tried) => tried && app.log.info({ tried }, 'mails tried again'),
      (error) => app.log.warn({ err: error }, 'mail retry failed'),
    );
  }, options.mailRetryIntervalMs ?? RETRY_INTERVAL_MS);
  mailRetry.unref();
  return {
    async stop() {
      clearInterval(cleanup);
      clearInterval(mailRetry);
    },
  };
}
