// 帳號註冊 (註冊 > 工商、自然人憑證註冊): the 申請類別 chooser of the seed. 個人 and 報關專責人員 continue to the
// 新版自然人憑證註冊 page; a business or government category learns which certificate it needs.
import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import { CITIZEN_CATEGORIES, REGISTRATION_CATEGORIES, validateRegistrationCategory } from '../../forms/category';

export function categoryItems(
  request: FastifyRequest,
  codes: readonly string[] = REGISTRATION_CATEGORIES.map((c) => c.code),
) {
  return codes.map((code) => ({ value: code, label: request.t(`validation.categories.${code}`) }));
}

function render(
  request: FastifyRequest,
  reply: FastifyReply,
  status: number,
  value: string,
  errors: Array<{ href: string; text: string }>,
) {
  const title = request.t('register.chooser.title');
  return reply.code(status).page('register/index', {
    pageTitle: title,
    breadcrumb: [{ label: title }],
    categories: categoryItems(request),
    value,
    errors,
  });
}

const chooser: FastifyPluginAsync = async (app) => {
  app.get('/register', async (request, reply) => render(request, reply, 200, '', []));

  app.post('/register', async (request, reply) => {
    const raw = (request.body as Record<string, unknown> | undefined)?.category;
    const result = validateRegistrationCategory(typeof raw === 'string' ? raw : '');
    if (!result.ok) {
      // The citizen page's "invalid" text names only 個人/報關專責人員; here every category of the list is allowed.
      const text = request.t(result.error === 'required' ? 'validation.category.required' : 'register.chooser.invalid');
      return render(request, reply, 400, '', [{ href: '#category', text }]);
    }
    const citizen = (CITIZEN_CATEGORIES as readonly string[]).includes(result.value);
    return reply.redirect(
      `/register/${citizen ? 'citizen' : 'business'}?category=${encodeURIComponent(result.value)}`,
      303,
    );
  });
};

export default chooser;
