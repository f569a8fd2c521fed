// The page a business or government category reaches from the chooser: which certificate it registers with
// (工商憑證 or 政府憑證, not the 自然人憑證 of the citizen page), what to have ready, and the start of its registration.
import type { FastifyPluginAsync } from 'fastify';
import { CITIZEN_CATEGORIES, REGISTRATION_CATEGORIES } from '../../forms/category';
import { ORGANISATION_RULES, isOrganisationCategory } from '../../registration/organisation-rules';

const business: FastifyPluginAsync = async (app) => {
  app.get<{ Querystring: { category?: string } }>('/register/business', async (request, reply) => {
    const code = typeof request.query.category === 'string' ? request.query.category : '';
    const category = REGISTRATION_CATEGORIES.find((c) => c.code === code);
    if (!category) return reply.redirect('/register', 303);
    if ((CITIZEN_CATEGORIES as readonly string[]).includes(category.code)) {
      return reply.redirect(`/register/citizen?category=${category.code}`, 303);
    }
    const t = request.t;
    const label = t(category.labelKey);
    const title = t('register.business.title', { category: label });
    return reply.page('register/business', {
      pageTitle: title,
      breadcrumb: [{ label: t('register.chooser.title'), href: '/register' }, { label: title }],
      category: category.code,
      categoryLabel: label,
      certificate: category.certificate,
      certificateLabel: t(`validation.certificates.${category.certificate}`),
      approval: isOrganisationCategory(category.code) && ORGANISATION_RULES[category.code].approval,
    });
  });
};

export default business;
