// The /pkcs11info answer in the shape of the HiPKI LocalSignServer's (see README: which fields follow the
// component's published answers and which are our reading of them).
import type { CertificateInfo } from './cert-info.js';
import { SignerError } from './errors.js';
import type { SigningService } from './signing.js';
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
    id: c.objectId ?? '',
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

/**
 * One slot per reader that holds a card, the card the signer signs with listed last (clients take the last slot).
 * Soft cards are one reader holding the card "inserted" on the signer's page, not every demo card at once.
 * Throws no_reader when there is no reader at all and no_card when no reader holds a card.
 */
export async function pkcs11Info(service: SigningService, withCert: boolean) {
  const slots = await service.slots();
  if (slots.length === 0) throw new SignerError('no_reader');
  const inUse = await service.cardInUse();
  if (!inUse) throw new SignerError('no_card');
  const listed = slots.filter((slot) => slot.card && (slot.backend === 'pkcs11' || slot.card.serial === inUse.serial));
  listed.sort((a, b) => Number(a.card?.serial === inUse.serial) - Number(b.card?.serial === inUse.serial));
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
    slots: listed.map((slot) => ({
      slotDescription: slot.description,
      token: {
        label: slot.card?.label ?? '',
        serialNumber: slot.card?.serial ?? '',
        flags: slot.tokenFlags ?? 0,
        certs: (slot.card?.certificates ?? []).map((c) => certJson(c, withCert)),
      },
    })),
  };
}
