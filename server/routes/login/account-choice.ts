// The page on which a company's card that may act for several accounts (one per 申請類別) is given the one: for 工商憑證
// 登入, a new card's re-binding and 忘記密碼 / 解除鎖定. Each account is a radio named 「<category>：<name>（<統一編號>）」;
// only the accounts the card was found for are accepted.
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Db } from '../../db/pool';
import { accountsRepository } from '../../db/accounts-repository';
import type { CertificateIdentity } from '../../auth/certificate-identity';
import { displayAccountId } from '../../mask';

export interface AccountChoice {
  value: string;
  label: string;
}

async function accountChoices(
  db: Db,
  request: FastifyRequest,
  accountIds: readonly number[],
): Promise<AccountChoice[]> {
  const accounts = accountsRepository(db);
  const choices: AccountChoice[] = [];
  for (const id of accountIds) {
    const account = await accounts.findById(id);
    if (!account) continue;
    const category = request.t(`validation.categories.${account.category}`);
    choices.push({
      value: String(account.id),
      label: `${category}：${account.name}（${displayAccountId(account.idNumber)}）`,
    });
  }
  return choices;
}

/** What the page says around the choice, in the words of its flow. */
export interface AccountChoiceWords {
  title: string;
  breadcrumb: Array<{ label: string; href?: string }>;
  intro: string;
  legend: string;
  submit: string;
  /** the text at the top and at the field when no offered account was chosen */
  required: string;
  /** where the form posts */
  action: string;
}

export interface PendingChoice {
  identity: CertificateIdentity;
  accountIds: number[];
}

/** The choice page, with the error when `error` is set (status 400). */
export async function renderAccountChoice(
  db: Db,
  request: FastifyRequest,
  reply: FastifyReply,
  pending: PendingChoice,
  words: AccountChoiceWords,
  error = false,
): Promise<FastifyReply> {
  return reply.code(error ? 400 : 200).page('login/account-choose', {
    pageTitle: words.title,
    breadcrumb: words.breadcrumb,
    intro: words.intro,
    legend: words.legend,
    submit: words.submit,
    action: words.action,
    identity: pending.identity,
    choices: await accountChoices(db, request, pending.accountIds),
    errors: error ? [{ href: '#accountId', text: words.required }] : [],
  });
}

/** The account the form chose, if it is one the card was found for. */
export function chosenAccount(pending: PendingChoice, body: { accountId?: string } | undefined): number | undefined {
  const accountId = Number(body?.accountId);
  return pending.accountIds.includes(accountId) ? accountId : undefined;
}
