// Every x509-limbo case where this engine's verdict differs from the suite's expected_result, with the reason.
// limbo.test.ts fails when the list and the harness disagree, so a fix or a regression has to update this file.

const HOST_NAME =
  'host-name matching of a TLS server (the harness leaves out the peer-name match: the engine validates citizen signing certificates, which name no host)';

export const EXPLAINED_DISAGREEMENTS: Readonly<Record<string, string>> = {
  'rfc5280::root-non-critical-basic-constraints':
    'Trust anchors are spared the "basicConstraints MUST be critical" rule (RFC 5280 §4.2.1.9): the real GRCA G1 root in trust/gpki has a non-critical basicConstraints, and RFC 5280 §6.1 does not process anchor extensions at all. Non-anchor CAs must mark it critical.',
  'webpki::aki::root-with-aki-authoritycertissuer':
    'CA/Browser Forum rule (a root AKI holds only keyIdentifier); RFC 5280 §4.2.1.1 allows authorityCertIssuer, and the engine follows RFC 5280.',
  'webpki::aki::root-with-aki-authoritycertserialnumber':
    'CA/Browser Forum rule (a root AKI holds only keyIdentifier); RFC 5280 §4.2.1.1 allows authorityCertSerialNumber.',
  'webpki::aki::root-with-aki-all-fields':
    'CA/Browser Forum rule (a root AKI holds only keyIdentifier); RFC 5280 §4.2.1.1 allows all three fields.',
  'webpki::eku::ee-anyeku':
    'TLS-server rule (feature pedantic-webpki-eku); RFC 5280 §4.2.1.12 accepts anyExtendedKeyUsage.',
  'webpki::eku::ee-critical-eku':
    'TLS-server rule (feature pedantic-webpki-eku); RFC 5280 §4.2.1.12 lets extendedKeyUsage be critical.',
  'webpki::eku::ee-without-eku':
    'TLS-server rule (feature pedantic-webpki-eku); under RFC 5280 a leaf without extendedKeyUsage is not restricted (rfc5280::eku::ee-without-eku expects SUCCESS for the same shape).',
  'webpki::eku::root-has-eku':
    'CA/Browser Forum root profile (feature pedantic-webpki-eku); RFC 5280 does not constrain EKU in a trust anchor.',
  'webpki::nc::permitted-dns-match-noncritical':
    'Opposite verdict to rfc5280::nc::permitted-dns-match-noncritical for the same chain; the engine follows RFC 5280 §4.2.1.10 ("Conforming CAs MUST mark this extension as critical").',
  'webpki::san::mismatch-domain-san': HOST_NAME,
  'webpki::san::mismatch-subdomain-san': HOST_NAME,
  'webpki::san::mismatch-subdomain-apex-san': HOST_NAME,
  'webpki::san::mismatch-apex-subdomain-san': HOST_NAME,
  'webpki::san::public-suffix-wildcard-san': HOST_NAME,
  'webpki::san::wildcard-embedded-leftmost-san': HOST_NAME,
  'webpki::san::wildcard-not-in-leftmost-san': HOST_NAME,
  'webpki::san::wildcard-match-across-labels-san': HOST_NAME,
  'webpki::san::wildcard-embedded-ulabel-san': HOST_NAME,
  'webpki::san::no-san': `${HOST_NAME}; a TLS server certificate needs a subjectAltName (CA/Browser Forum), RFC 5280 does not require one when the subject is not empty.`,
  'webpki::san::san-critical-with-nonempty-subject':
    'CA/Browser Forum rule (subjectAltName critical only with an empty subject); RFC 5280 §4.2.1.6 allows a critical SAN with a subject.',
};
