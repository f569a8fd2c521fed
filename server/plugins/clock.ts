// The app's clock: tests pass a fixed or movable one, so time-dependent rules are tested without waiting.
import fp from 'fastify-plugin';

declare module 'fastify' {
  interface FastifyInstance {
    now(): Date;
  }
}

export default fp<{ now?: () => Date }>(
  async (app, { now }) => {
    app.decorate('now', now ?? (() => new Date()));
  },
  { name: 'clock' },
);
