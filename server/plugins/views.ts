// Nunjucks pages. reply.page(template, data) renders a page with the context every page needs.
import fp from 'fastify-plugin';
import view from '@fastify/view';
import nunjucks from 'nunjucks';
import type { FastifyReply } from 'fastify';
import type { Config, SupportContact } from '../config';
import type { Translate } from './i18n';
import { kioskWarningPlan } from '../auth/kiosk';

export const VIEWS_DIR = new URL('../../views/', import.meta.url).pathname;

export interface FieldError {
  href: string;
  text: string;
}

export interface MenuItem {
  href: string;
  label: string;
  children?: MenuItem[];
}

/** The left menu (分眾導覽) of the seed, in its order, on every page. */
export function menuFor(t: Translate): MenuItem[] {
  return [
    { href: '/', label: t('common.menu.home') },
    { href: '/login', label: t('common.menu.login') },
    { href: '/about', label: t('common.menu.about') },
    { href: '/services', label: t('common.menu.services') },
    { href: '/xml', label: t('common.menu.xml') },
    {
      href: '/register',
      label: t('common.menu.register'),
      children: [
        { href: '/register', label: t('common.menu.registerCertificate') },
        { href: '/register/customs-certificate', label: t('common.menu.registerCustoms') },
      ],
    },
    { href: '/services/with-certificate', label: t('common.menu.withCertificate') },
    { href: '/services/without-certificate', label: t('common.menu.withoutCertificate') },
    {
      href: '/downloads',
      label: t('common.menu.downloadsGroup'),
      children: [{ href: '/downloads', label: t('common.menu.downloads') }],
    },
  ];
}

declare module 'fastify' {
  interface FastifyReply {
    page(template: string, data?: Record<string, unknown>): FastifyReply;
  }
}

export function addFilters(env: nunjucks.Environment): void {
  // GOV.UK pattern: errors is [{ href: '#field', text }]; a field finds its own message.
  env.addFilter('findError', (errors: FieldError[] | undefined, field: string) =>
    errors?.find((e) => e.href === `#${field}`),
  );
  // A field with several broken rules at once (the password) shows every message.
  env.addFilter('findErrors', (errors: FieldError[] | undefined, field: string) =>
    (errors ?? []).filter((e) => e.href === `#${field}`),
  );
}

/** The 客服 contact as the footer shows it, the opening hours worded in the page's language. */
export function supportFor(support: SupportContact, t: Translate) {
  const { fromDay, toDay, opens, closes } = support.hours;
  const hours =
    fromDay === toDay
      ? t('common.support.hoursOneDay', { day: t(`common.weekdays.${fromDay}`), opens, closes })
      : t('common.support.hoursRange', {
          from: t(`common.weekdays.${fromDay}`),
          to: t(`common.weekdays.${toDay}`),
          opens,
          closes,
        });
  return { phone: support.phone, phoneE164: support.phoneE164, email: support.email, hours };
}

export default fp<{ config: Config }>(
  async (app, { config }) => {
    await app.register(view, {
      engine: { nunjucks },
      root: VIEWS_DIR,
      viewExt: 'njk',
      options: { onConfigure: addFilters },
    });
    app.decorateReply('page', function page(this: FastifyReply, template: string, data: Record<string, unknown> = {}) {
      const request = this.request;
      const reply = this;
      const context = {
        lang: request.lang,
        t: request.t,
        path: request.url.split('?')[0],
        currentUrl: request.url,
        config: {
          kiosk: config.kiosk,
          signerUrl: config.signerUrl,
          mode: config.mode,
          kioskIdleSeconds: config.kioskIdleSeconds,
          kioskWarning: kioskWarningPlan(config.kioskIdleSeconds),
          publicOrigin: config.publicOrigin,
        },
        user: request.session?.user,
        menu: menuFor(request.t),
        support: supportFor(config.support, request.t),
        csrfToken: () => reply.generateCsrf(),
        ...data,
      };
      return this.type('text/html; charset=utf-8').view(`pages/${template}.njk`, context);
    });
  },
  // Every page reads the user's language, the session's user and a CSRF token for its forms.
  { name: 'views', dependencies: ['i18n', 'session', 'security'] },
);
