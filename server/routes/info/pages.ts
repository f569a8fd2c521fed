import type { FastifyPluginAsync } from 'fastify';
import type { Config } from '../../config';
import { PERSONAL_DATA_NOTICE_VERSION } from '../../forms/consent';

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
  /** 通關服務(帶憑證) needs a certificate login; 通關服務(免憑證) accepts either login. */
  access?: 'certificate' | 'any';
  /** What the template shows beyond its messages. */
  data?: Record<string, unknown>;
}

export const INFO_PAGES: InfoPage[] = [
  { url: '/about', template: 'about', titleKey: 'info.about.title' },
  { url: '/services', template: 'services', titleKey: 'info.services.title' },
  { url: '/xml', template: 'xml', titleKey: 'info.xml.title' },
  { url: '/faq', template: 'faq', titleKey: 'info.faq.title' },
  { url: '/manual', template: 'manual', titleKey: 'info.manual.title' },
  // Linked from every page's footer.
  { url: '/privacy', template: 'privacy', titleKey: 'policies.privacy.title' },
  {
    url: '/personal-data',
    template: 'personal-data',
    titleKey: 'policies.personalData.title',
    data: { noticeVersion: PERSONAL_DATA_NOTICE_VERSION },
  },
  { url: '/terms', template: 'terms', titleKey: 'policies.terms.title' },
  { url: '/accessibility', template: 'accessibility', titleKey: 'policies.accessibility.title' },
  {
    url: '/services/with-certificate',
    template: 'services/with-certificate',
    titleKey: 'info.withCertificate.title',
    parents: [['info.services.title', '/services']],
    access: 'certificate',
  },
  {
    url: '/services/without-certificate',
    template: 'services/without-certificate',
    titleKey: 'info.withoutCertificate.title',
    parents: [['info.services.title', '/services']],
    access: 'any',
  },
];

const infoPages: FastifyPluginAsync<{ config: Config }> = async (app) => {
  app.get('/', async (_request, reply) => reply.page('index'));

  for (const info of INFO_PAGES) {
    app.get(info.url, async (request, reply) => {
      const user = request.session.user;
      if (info.access === 'certificate' && user?.method !== 'certificate') {
        // A password login is not enough here: log in again with the card, then come back.
        request.session.loginNext = info.url;
        request.session.loginError = user ? 'certificate_login_required' : undefined;
        return reply.redirect('/login/certificate', 303);
      }
      if (info.access === 'any' && !user) return reply.redirect(`/login?next=${encodeURIComponent(info.url)}`, 303);
      const t = request.t;
      const title = t(info.titleKey);
      return reply.page(info.template, {
        ...info.data,
        pageTitle: title,
        breadcrumb: [...(info.parents ?? []).map(([key, href]) => ({ label: t(key), href })), { label: title }],
      });
    });
  }
};

export default infoPages;
