// The signer's own version: shown on its pages and in the download's file name.
export const SIGNER_VERSION = '1.2.0';
export const DEFAULT_PORT = 61161;

// The versions the real HiPKI component's answers carried when its clients were checked against ours
// (LocalSignServer 1.3.8 in /pkcs11info, 2.3.2 in /sign). Clients compare them with a minimum they need, so the
// signer reports the protocol level it implements in those fields and its own version beside them.
export const HIPKI_SERVER_VERSION = '1.3.8';
export const HIPKI_SIGN_VERSION = '2.3.2';
