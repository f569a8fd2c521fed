// The details of the first registration step as the portal keeps them between the no-JS steps: everything but the
// password, of which only the argon2id hash is kept, and only server-side.
import { hashPassword } from '../auth/passwords';
import type { RegistrationDetails } from '../forms/registration';

export type RegistrationDraft = Omit<RegistrationDetails, 'password'> & { passwordHash: string };

export async function draftFrom(details: RegistrationDetails): Promise<RegistrationDraft> {
  const { password, ...rest } = details;
  return { ...rest, passwordHash: await hashPassword(password) };
}
