// The e-mail service (server/notify/), one per app: the mailer of the configuration, the outbox, and at close the
// sends still in flight finished before the database goes away.
import fp from 'fastify-plugin';
import type { Config } from '../config';
import { createMailer } from '../notify/mailer';
import { createNotifier, type Notifier } from '../notify/notifier';

declare module 'fastify' {
  interface FastifyInstance {
    notifier: Notifier;
  }
}

export default fp<{ config: Config }>(
  async (app, { config }) => {
    const notifier = createNotifier({
      pool: app.db,
      mailer: createMailer(config.mail, app.log),
      context: { messages: app.messages, publicOrigin: config.publicOrigin, support: config.support },
      log: app.log,
      now: () => app.now(),
    });
    app.decorate('notifier', notifier);
    app.addHook('onClose', () => notifier.close());
  },
  { name: 'notify', dependencies: ['db', 'clock', 'i18n'] },
);
