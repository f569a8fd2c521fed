// 註冊 > 通關專屬憑證註冊: what the customs-only certificate is, and the choice of the 申請類別 it registers (the
// business categories, not 政府機關), answered like the chooser's: 400 with the errors, or 303 to the certificate step.
import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import { CUSTOMS_CERTIFICATE_CATEGORIES, type OrganisationCategory } from '../../registration/organisation-rules';
import type { FieldError } from '../../plugins/views';
import { categoryItems } from './chooser';
import { stepUrl } from './organisation-shared';

/** 報關業 comes chosen: the customs-only certificate is issued to customs brokers, who are most of its holders. */
export const DEFAULT_CUSTOMS_CATEGORY: OrganisationCategory = 'customs_broker';

function customsCategory(value: unknown): OrganisationCategory | undefined {
  return CUSTOMS_CERTIFICATE_CATEGORIES.find((c) => c === value);
}

function render(request: FastifyRequest, reply: FastifyReply, status: number, value: string, errors: FieldError[]) {
  const t = request.t;
  const title = t('info.customsCertificate.title');
  return reply.code(status).page('register/customs-certificate', {
    pageTitle: title,
    breadcrumb: [{ label: t('common.menu.register'), href: '/register' }, { label: title }],
    categories: categoryItems(request, CUSTOMS_CERTIFICATE_CATEGORIES),
    value,
    errors,
  });
}

const customsCertificate: FastifyPluginAsync = async (app) => {
  // The certificate step's BACK link names the category chosen, so coming back keeps the applicant's own choice.
  app.get<{ Querystring: { category?: string } }>('/register/customs-certificate', async (request, reply) =>
    render(request, reply, 200, customsCategory(request.query.category) ?? DEFAULT_CUSTOMS_CATEGORY, []),
  );

  app.post('/register/customs-certificate', async (request, reply) => {
    const raw = (request.body as Record<string, unknown> | undefined)?.category;
    const chosen = typeof raw === 'string' ? raw.trim() : '';
    const category = customsCategory(chosen);
    if (!category) {
      const text = request.t(chosen === '' ? 'validation.category.required' : 'register.customs.invalid');
      // Nothing offered was chosen, so nothing is checked: the default is not put back in the applicant's place.
      return render(request, reply, 400, '', [{ href: '#category', text }]);
    }
    return reply.redirect(stepUrl('/certificate', { category, certificate: 'customs' }), 303);
  });
};

export default customsCertificate;
