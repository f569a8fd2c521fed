// 軟體下載: the numbered list, a detail page per item, and the file itself.
import type { FastifyPluginAsync } from 'fastify';
import list from './list';
import detail from './detail';
import file from './file';

const downloads: FastifyPluginAsync = async (app) => {
  await app.register(list);
  await app.register(detail);
  await app.register(file);
};

export default downloads;
