// The rules of each company and agency category of the 帳號註冊 chooser: the certificate it registers with, whether it
// gives a licence number, and whether an operator approves the account before it may log in.
import { REGISTRATION_CATEGORIES, type RegistrationCategory } from '../forms/category';
import type { AccountStatus } from '../db/accounts-repository';

export type OrganisationCategory = Exclude<RegistrationCategory, 'individual' | 'customs_specialist'>;

export interface OrganisationCategoryRules {
  /** the certificate of the ordinary registration (通關專屬憑證註冊 offers 'customs' to the business categories) */
  certificate: 'moeaca' | 'gca';
  /** a licence or permit number the operator checks against Customs' register before approving */
  licence: boolean;
  /** the account waits for an operator (pending_review) instead of being active at once */
  approval: boolean;
}

/**
 * 一般企業 is active at once: the business certificate proves the company, and it asks for nothing a licence governs.
 * Every other business category acts in customs work under a licence or permit from Customs (報關業設置登記證,
 * 快遞業者登記, 保稅倉庫/貨櫃集散站, 免稅商店設立許可 …) or for carriers (船公司/代理業), so an operator checks it first;
 * 政府機關 are approved by an operator as well, since an agency account is given to an agency's staff.
 */
export const ORGANISATION_RULES: Readonly<Record<OrganisationCategory, OrganisationCategoryRules>> = {
  enterprise: { certificate: 'moeaca', licence: false, approval: false },
  customs_broker: { certificate: 'moeaca', licence: true, approval: true },
  express: { certificate: 'moeaca', licence: true, approval: true },
  shipping: { certificate: 'moeaca', licence: false, approval: true },
  warehouse: { certificate: 'moeaca', licence: true, approval: true },
  customs_inspection_broker: { certificate: 'moeaca', licence: true, approval: true },
  offshore_duty_free: { certificate: 'moeaca', licence: true, approval: true },
  duty_free_shop: { certificate: 'moeaca', licence: true, approval: true },
  government: { certificate: 'gca', licence: false, approval: true },
};

export const ORGANISATION_CATEGORIES = REGISTRATION_CATEGORIES.map((c) => c.code).filter(
  (c): c is OrganisationCategory => c in ORGANISATION_RULES,
);

/** The business categories that may register with a customs-only certificate (通關專屬憑證註冊): not 政府機關. */
export const CUSTOMS_CERTIFICATE_CATEGORIES = ORGANISATION_CATEGORIES.filter(
  (c) => ORGANISATION_RULES[c].certificate === 'moeaca',
);

export function isOrganisationCategory(value: string): value is OrganisationCategory {
  return (ORGANISATION_CATEGORIES as readonly string[]).includes(value);
}

export function organisationInitialStatus(category: OrganisationCategory): AccountStatus {
  return ORGANISATION_RULES[category].approval ? 'pending_review' : 'active';
}
