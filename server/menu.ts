// The left menu (分眾導覽) of the seed, in its order.
import type { Translate } from './plugins/i18n';

export interface MenuItem {
  href: string;
  label: string;
  children?: MenuItem[];
}

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
