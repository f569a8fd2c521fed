// argon2id password hashes (OWASP minimum: m=19456 KiB, t=2, p=1). argon2 runs on libuv's thread pool, off the event loop.
import argon2 from 'argon2';

export const PASSWORD_HASH_OPTIONS = { type: argon2.argon2id, memoryCost: 19456, timeCost: 2, parallelism: 1 } as const;

export function hashPassword(password: string): Promise<string> {
  return argon2.hash(password, PASSWORD_HASH_OPTIONS);
}

let dummyHash: Promise<string> | undefined;
/** A real hash of nothing, so an unknown account costs the same time as a wrong password. */
function dummy(): Promise<string> {
  dummyHash ??= argon2.hash('no such account: timing equaliser', PASSWORD_HASH_OPTIONS);
  return dummyHash;
}

export async function verifyPassword(
  hash: string | null,
  password: string,
): Promise<{ ok: boolean; needsRehash: boolean }> {
  const target = hash ?? (await dummy());
  let ok = false;
  try {
    ok = await argon2.verify(target, password);
  } catch {
    ok = false;
  }
  return {
    ok: ok && hash !== null,
    needsRehash: ok && hash !== null && argon2.needsRehash(hash, PASSWORD_HASH_OPTIONS),
  };
}
