// The text of each e-mail the portal sends: zh-TW first, then English for an account that registered in English.
// Plain text only (every mail program shows it, none hides it as a suspected phishing layout); no ID number, no link
// that logs anyone in: a mail can be forwarded or read over a shoulder.
import type { Account } from '../db/accounts-repository';
import type { NotificationKind } from '../db/notifications-repository';
import type { SupportContact } from '../config';
import { makeTranslate, type Lang, type Translate } from '../plugins/i18n';
import { supportFor } from '../plugins/views';
import { formatTaiwanTime } from '../taiwan-time';

export interface MailContent {
  subject: string;
  text: string;
  /** Content-Language: the languages the text is in, zh-TW first. */
  languages: Lang[];
}

export interface MailContext {
  messages: Parameters<typeof makeTranslate>[0];
  publicOrigin: string;
  support: SupportContact;
}

export interface MailFacts {
  kind: NotificationKind;
  account: Pick<Account, 'name' | 'category' | 'status' | 'reference' | 'lang' | 'createdAt'>;
  /** The operator's reason, quoted in a rejection. */
  reason: string | null;
  /** When what the mail tells happened (the operator's decision; a registration's own time is the account's). */
  at: Date;
}

function subjectIn(t: Translate, facts: MailFacts): string {
  const { kind, account } = facts;
  const key =
    kind === 'registration_received'
      ? `mail.registration_received.${account.status === 'pending_review' ? 'subjectPending' : 'subjectActive'}`
      : `mail.${kind}.subject`;
  return t(key);
}

function bodyIn(t: Translate, facts: MailFacts, context: MailContext): string {
  const { kind, account } = facts;
  const support = supportFor(context.support, t);
  const loginUrl = `${context.publicOrigin}/login`;
  const lines: string[] = [];
  if (account.reference) lines.push(t('mail.referenceLine', { reference: account.reference }));
  lines.push(t('mail.categoryLine', { category: t(`validation.categories.${account.category}`) }));
  const paragraphs: string[] = [t('mail.greeting', { name: account.name })];
  if (kind === 'registration_received') {
    const pending = account.status === 'pending_review';
    paragraphs.push(
      t(`mail.registration_received.${pending ? 'leadPending' : 'leadActive'}`, {
        category: t(`validation.categories.${account.category}`),
      }),
    );
    lines.push(t('mail.atLine', { at: formatTaiwanTime(account.createdAt) }));
    lines.push(t('mail.statusLine', { status: t(`register.status.${account.status}`) }));
    paragraphs.push(lines.join('\n'));
    if (!pending)
      paragraphs.push(`${t('mail.registration_received.nextActive')}\n${t('mail.loginLine', { url: loginUrl })}`);
    paragraphs.push(t('mail.notYou'));
  } else {
    paragraphs.push(t(`mail.${kind}.lead`));
    lines.push(t('mail.decidedAtLine', { at: formatTaiwanTime(facts.at) }));
    paragraphs.push(lines.join('\n'));
    if (kind === 'account_rejected' && facts.reason)
      paragraphs.push(t('mail.account_rejected.reason', { reason: facts.reason }));
    paragraphs.push(
      kind === 'account_approved'
        ? `${t('mail.account_approved.next')}\n${t('mail.loginLine', { url: loginUrl })}`
        : t(`mail.${kind}.next`),
    );
  }
  paragraphs.push(t('mail.support', { phone: support.phone, hours: support.hours, email: support.email }));
  paragraphs.push(t('mail.automatic'));
  return paragraphs.join('\n\n');
}

/** Subject and text of one mail; the reference number goes in the subject too, so a search of the mailbox finds it. */
export function composeMail(facts: MailFacts, context: MailContext): MailContent {
  const languages: Lang[] = facts.account.lang === 'en' ? ['zh-TW', 'en'] : ['zh-TW'];
  const subjects: string[] = [];
  const bodies: string[] = [];
  for (const lang of languages) {
    const t = makeTranslate(context.messages, lang);
    subjects.push(t('mail.brand') + subjectIn(t, facts));
    bodies.push(bodyIn(t, facts, context));
  }
  const reference = facts.account.reference
    ? makeTranslate(context.messages, 'zh-TW')('mail.referenceSuffix', { reference: facts.account.reference })
    : '';
  return {
    subject: subjects.join(' / ') + reference,
    text: bodies.join('\n\n-------- English --------\n\n') + '\n',
    languages,
  };
}
