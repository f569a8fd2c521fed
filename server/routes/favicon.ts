// /favicon.ico: browsers ask for it at the site's root whatever the page says; the pages also name the SVG emblem.
import type { FastifyPluginAsync } from 'fastify';

const favicon: FastifyPluginAsync = async (app) => {
  app.get('/favicon.ico', async (_request, reply) =>
    reply.header('cache-control', 'public, max-age=86400').sendFile('favicon.ico'),
  );
};

export default favicon;
