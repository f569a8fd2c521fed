// RSA keys made once per test run and shared by every demo PKI the run makes. `npm test` names a folder shared by the
// run's test files (TEST_RUN_CACHE); without it (a file run alone) the keys live in this process only. Each demo PKI
// still gets certificates of its own.
import { createPrivateKey, generateKeyPair, type KeyObject } from 'node:crypto';
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';

const generate = promisify(generateKeyPair);
const made = new Map<string, Promise<KeyObject>>();

function keyFile(name: string): string | undefined {
  const dir = process.env.TEST_RUN_CACHE;
  return dir ? join(dir, 'keys', `${name}.pem`) : undefined;
}

async function runKey(bits: number, index: number): Promise<KeyObject> {
  const name = `rsa${bits}-${index}`;
  const file = keyFile(name);
  if (file) {
    try {
      return createPrivateKey(readFileSync(file, 'utf8'));
    } catch {
      // not made yet by any file of the run
    }
  }
  const { privateKey } = await generate('rsa', { modulusLength: bits, publicExponent: 0x10001 });
  if (file) {
    mkdirSync(join(file, '..'), { recursive: true });
    // Written whole, then renamed: a file running beside this one reads a whole key or none.
    const partial = `${file}.${process.pid}.partial`;
    writeFileSync(partial, privateKey.export({ type: 'pkcs8', format: 'pem' }) as string);
    renameSync(partial, file);
  }
  return privateKey;
}

// Counted per process, not per PKI: two demo PKIs of one test file never share a key (a test that shows a card of one
// refused by the other stays true); test files are separate processes, so they reuse the same keys.
const next = new Map<number, number>();

/** A key source for a demo PKI (createDemoPki's `newKey`). */
export function runKeys(): (bits: number) => Promise<KeyObject> {
  return (bits) => {
    const index = next.get(bits) ?? 0;
    next.set(bits, index + 1);
    const name = `${bits}-${index}`;
    let key = made.get(name);
    if (!key) {
      key = runKey(bits, index);
      made.set(name, key);
    }
    return key;
  };
}
