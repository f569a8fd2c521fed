// 註冊完成: what was registered (the ID number masked), its 申請編號 and time, its status, the next step and where the
// e-mails go; and the same as a page of its own for printing without JavaScript.
import type { FastifyPluginAsync, FastifyRequest } from 'fastify';
import type { RegistrationReceipt } from '../../registration/transaction';
import { formatTaiwanTime } from '../../taiwan-time';

function receiptView(request: FastifyRequest, receipt: RegistrationReceipt) {
  return {
    receipt,
    submittedAt: receipt.submittedAt ? formatTaiwanTime(new Date(receipt.submittedAt)) : '',
    categoryLabel: request.t(`validation.categories.${receipt.category}`),
  };
}

const done: FastifyPluginAsync = async (app) => {
  app.get('/register/citizen/done', async (request, reply) => {
    const receipt = request.session.registrationReceipt;
    if (!receipt) return reply.redirect('/register', 303);
    const t = request.t;
    const title = t('register.done.title');
    return reply.page('register/done', {
      pageTitle: title,
      breadcrumb: [{ label: t('register.chooser.title'), href: '/register' }, { label: title }],
      ...receiptView(request, receipt),
    });
  });

  app.get('/register/citizen/done/print', async (request, reply) => {
    const receipt = request.session.registrationReceipt;
    if (!receipt) return reply.redirect('/register', 303);
    return reply.page('register/done-print', {
      pageTitle: request.t('register.done.printTitle'),
      doneHref: '/register/citizen/done',
      ...receiptView(request, receipt),
    });
  });
};

export default done;
