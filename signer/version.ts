// The signer's own version: shown on its pages, in /pkcs11info and in the download's file name.
export const SIGNER_VERSION = '1.2.0';
export const DEFAULT_PORT = 61161;
