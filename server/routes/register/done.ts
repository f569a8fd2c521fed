// 註冊完成: what was registered (the ID number masked), its status, and the next step.
import type { FastifyPluginAsync } from 'fastify';

const done: FastifyPluginAsync = async (app) => {
  app.get('/register/citizen/done', async (request, reply) => {
    const receipt = request.session.registrationReceipt;
    if (!receipt) return reply.redirect('/register', 303);
    const t = request.t;
    const title = t('register.done.title');
    return reply.page('register/done', {
      pageTitle: title,
      breadcrumb: [{ label: t('register.chooser.title'), href: '/register' }, { label: title }],
      receipt,
      categoryLabel: t(`validation.categories.${receipt.category}`),
    });
  });
};

export default done;
