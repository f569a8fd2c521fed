// The /pkcs11info answer in the shape of the HiPKI LocalSignServer's (see README: which fields follow the
// component's published answers and which are our reading of them).
import type { CertificateInfo } from './cert-info.js';
import { SignerError, toSignerError } from './errors.js';
import { pkcs11InfoErrorBody } from './hipki-answer.js';
import type { Lang } from './locale.js';
import type { SigningService } from './signing.js';
import type { Slot } from './tokens/types.js';
import { HIPKI_SERVER_VERSION, SIGNER_VERSION } from './version.js';

/** YYMMDDhhmmssZ, the certificate's own UTCTime form, as the component shows validity. */
export function utcTimeText(iso: string): string {
  const d = new Date(iso);
  const two = (n: number) => String(n).padStart(2, '0');
  return (
    two(d.getUTCFullYear() % 100) +
    two(d.getUTCMonth() + 1) +
    two(d.getUTCDate()) +
    two(d.getUTCHours()) +
    two(d.getUTCMinutes()) +
    two(d.getUTCSeconds()) +
    'Z'
  );
}

/** The component's usage strings: clients compare them literally to pick the signing certificate. */
export function hipkiUsage(certificate: CertificateInfo): string {
  if (certificate.usage === 'signing') return 'digitalSignature';
  if (certificate.usage === 'encryption') return 'keyEncipherment|dataEncipherment';
  return certificate.keyUsage.join('|');
}

function certJson(c: CertificateInfo, withCert: boolean) {
  return {
    label: c.label ?? c.commonName,
    // Base64, as clients match it against a key id they hold in base64 (keyidb64).
    id: c.objectId ? Buffer.from(c.objectId, 'hex').toString('base64') : '',
    usage: hipkiUsage(c),
    keyUsage: c.keyUsage,
    subjectDN: c.subjectRdns.join(','),
    issuerDN: c.issuerRdns.join(','),
    sn: c.serialNumber,
    subjectCN: c.commonName,
    subjectID: c.subjectSerialNumber,
    email: c.email,
    notBefore: utcTimeText(c.notBefore),
    notAfter: utcTimeText(c.notAfter),
    notBeforeT: Math.floor(Date.parse(c.notBefore) / 1000),
    notAfterT: Math.floor(Date.parse(c.notAfter) / 1000),
    ...(withCert ? { certb64: c.der.toString('base64') } : {}),
  };
}

type ListedSlot = Slot & { backend: 'pkcs12' | 'pkcs11' };

function slotJson(slot: ListedSlot, withCert: boolean) {
  // A reader without a card has no token: clients skip such a slot (token == null) or show it as empty.
  if (!slot.card) return { slotDescription: slot.description };
  return {
    slotDescription: slot.description,
    token: {
      label: slot.card.label,
      serialNumber: slot.card.serial,
      flags: slot.tokenFlags ?? 0,
      certs: slot.card.certificates.map((c) => certJson(c, withCert)),
    },
  };
}

/**
 * The readers to list: every PKCS#11 slot, with or without a card; of the soft cards, the one reader holding the card
 * in use (an empty soft reader when no soft card is there). The card in use comes first, because clients take the
 * first slot that holds a card; then the other cards; then the empty readers.
 */
function readersToList(slots: ListedSlot[], inUse: string | null): ListedSlot[] {
  const soft = slots.filter((slot) => slot.backend === 'pkcs12');
  const softInUse = soft.filter((slot) => slot.card && slot.card.serial === inUse);
  const softShown = softInUse.length > 0 ? softInUse : soft.some((slot) => slot.card) ? [] : soft.slice(0, 1);
  const listed = [...slots.filter((slot) => slot.backend === 'pkcs11'), ...softShown];
  const rank = (slot: ListedSlot) => (slot.card ? (slot.card.serial === inUse ? 0 : 1) : 2);
  return listed
    .map((slot, index) => ({ slot, index }))
    .sort((a, b) => rank(a.slot) - rank(b.slot) || a.index - b.index)
    .map((x) => x.slot);
}

/**
 * The /pkcs11info answer, failures included. No reader at all is no_reader with no slots; readers without any card
 * are no_card, the empty readers still listed.
 */
export async function pkcs11Info(
  service: SigningService,
  withCert: boolean,
  lang: Lang,
): Promise<Record<string, unknown>> {
  let slots: ListedSlot[];
  let inUse: Awaited<ReturnType<SigningService['cardInUse']>>;
  try {
    slots = await service.slots();
    inUse = await service.cardInUse();
  } catch (error) {
    return pkcs11InfoErrorBody(toSignerError(error), lang);
  }
  if (slots.length === 0) return pkcs11InfoErrorBody(new SignerError('no_reader'), lang);
  const listed = readersToList(slots, inUse?.serial ?? null);
  if (!inUse)
    return pkcs11InfoErrorBody(
      new SignerError('no_card'),
      lang,
      listed.map((slot) => slotJson(slot, false)),
    );
  const backend = service.backends.find((b) => b.kind === inUse.backend);
  const library = backend ? backend.libraryInfo() : { description: '', version: '', manufacturer: '' };
  return {
    func: 'pkcs11info',
    ret_code: 0,
    last_error: 0,
    serverVersion: HIPKI_SERVER_VERSION,
    signerVersion: SIGNER_VERSION,
    libraryDescription: library.description,
    libraryVersion: library.version,
    manufacturerID: library.manufacturer,
    module: inUse.backend,
    slots: listed.map((slot) => slotJson(slot, withCert)),
  };
}
