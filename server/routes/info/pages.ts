import type { FastifyPluginAsync } from 'fastify';
import type { Config } from '../../config';

/**
 * Content pages: the route, its template (views/pages/<url path>.njk), its title key and its breadcrumb trail.
 * Short labels live in locales/<lang>/info.json; the prose of each page sits in its template, one block per language.
 */
export interface InfoPage {
  url: string;
  template: string;
  titleKey: string;
  /** Breadcrumb parents between 回首頁 and this page, as [labelKey, href]. */
  parents?: Array<[string, string]>;
}

export const INFO_PAGES: InfoPage[] = [
  { url: '/about', template: 'about', titleKey: 'info.about.title' },
  { url: '/services', template: 'services', titleKey: 'info.services.title' },
  { url: '/xml', template: 'xml', titleKey: 'info.xml.title' },
  { url: '/faq', template: 'faq', titleKey: 'info.faq.title' },
  { url: '/manual', template: 'manual', titleKey: 'info.manual.title' },
  {
    url: '/register/customs-certificate',
    template: 'register/customs-certificate',
    titleKey: 'info.customsCertificate.title',
    parents: [['common.menu.register', '/register']],
  },
  // Public for now; the login journey adds the access rule (certificate login / any login) to these two.
  {
    url: '/services/with-certificate',
    template: 'services/with-certificate',
    titleKey: 'info.withCertificate.title',
    parents: [['info.services.title', '/services']],
  },
  {
    url: '/services/without-certificate',
    template: 'services/without-certificate',
    titleKey: 'info.withoutCertificate.title',
    parents: [['info.services.title', '/services']],
  },
];

const infoPages: FastifyPluginAsync<{ config: Config }> = async (app) => {
  app.get('/', async (_request, reply) => reply.page('index'));

  for (const info of INFO_PAGES) {
    app.get(info.url, async (request, reply) => {
      const t = request.t;
      const title = t(info.titleKey);
      return reply.page(info.template, {
        pageTitle: title,
        breadcrumb: [...(info.parents ?? []).map(([key, href]) => ({ label: t(key), href })), { label: title }],
      });
    });
  }
};

export default infoPages;
