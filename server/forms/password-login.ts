// The 帳號密碼登入 form: a person logs in with the ID number, a company or agency with its 申請類別 and 統一編號
// (機關代碼 for 政府機關), since one organisation may hold an account in each category. Both give the account key the
// login and the lockout know the account by.
import { organisationAccountKey } from '../db/organisation-accounts-repository';
import { isOrganisationCategory, type OrganisationCategory } from '../registration/organisation-rules';
import { compactCode } from './result';

export type PasswordLoginKind = 'person' | 'organisation';

export interface PasswordLoginValues {
  kind: PasswordLoginKind;
  idNumber: string;
  category: string;
  organisationId: string;
}

export type PasswordLoginField = 'idNumber' | 'category' | 'organisationId' | 'password' | 'orgPassword';
export type PasswordLoginError =
  | { field: 'idNumber'; key: 'idNumberRequired' }
  | { field: 'category'; key: 'categoryRequired' }
  | { field: 'organisationId'; key: 'organisationIdRequired' }
  | { field: 'password' | 'orgPassword'; key: 'passwordRequired' };

export type PasswordLoginForm =
  | { ok: true; values: PasswordLoginValues; accountKey: string; password: string }
  | { ok: false; values: PasswordLoginValues; errors: PasswordLoginError[] };

type Body = Record<string, unknown> | undefined;

const text = (body: Body, name: string) => String(body?.[name] ?? '');

export function readPasswordLogin(body: Body): PasswordLoginForm {
  const kind: PasswordLoginKind = text(body, 'accountKind') === 'organisation' ? 'organisation' : 'person';
  const values: PasswordLoginValues = {
    kind,
    idNumber: text(body, 'idNumber').trim().toUpperCase(),
    category: text(body, 'category'),
    organisationId: compactCode(text(body, 'organisationId')).toUpperCase(),
  };
  const errors: PasswordLoginError[] = [];
  if (kind === 'person') {
    const password = text(body, 'password');
    if (!values.idNumber) errors.push({ field: 'idNumber', key: 'idNumberRequired' });
    if (!password) errors.push({ field: 'password', key: 'passwordRequired' });
    return errors.length ? { ok: false, values, errors } : { ok: true, values, accountKey: values.idNumber, password };
  }
  const password = text(body, 'orgPassword');
  const category = isOrganisationCategory(values.category) ? (values.category as OrganisationCategory) : undefined;
  if (!category) errors.push({ field: 'category', key: 'categoryRequired' });
  if (!values.organisationId) errors.push({ field: 'organisationId', key: 'organisationIdRequired' });
  if (!password) errors.push({ field: 'orgPassword', key: 'passwordRequired' });
  if (errors.length || !category) return { ok: false, values, errors };
  return { ok: true, values, accountKey: organisationAccountKey(category, values.organisationId), password };
}
