// The accounts one company card may act for (one per 申請類別), as the choice pages list them: a radio each, named
// 「<category>：<name>（<統一編號>）」.
import type { FastifyRequest } from 'fastify';
import type { Db } from '../../db/pool';
import { accountsRepository } from '../../db/accounts-repository';
import { displayAccountId } from '../../mask';

export interface AccountChoice {
  value: string;
  label: string;
}

export async function accountChoices(
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
