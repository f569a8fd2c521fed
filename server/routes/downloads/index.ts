// 軟體下載: the numbered list, a detail page per item, and the file itself.
import type { FastifyPluginAsync } from 'fastify';
import type { Config } from '../../config';
import list from './list';
import detail from './detail';
import file from './file';

const downloads: FastifyPluginAsync<{ config: Config }> = async (app, { config }) => {
  await app.register(list);
  await app.register(detail, { config });
  await app.register(file);
};

export default downloads;
