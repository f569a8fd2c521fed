// What every package is built from, and the notice of the third-party code it carries.
import type { Platform } from './platforms.js';

export interface PackageInput {
  /** The signer's version (signer/version.ts): the packages' version. */
  version: string;
  /** The Node.js inside the program. */
  nodeVersion: string;
  /** The single-executable program for this platform. */
  program: string;
  /** pkcs11js's add-on for this platform, or null when the package has none. */
  addon: string | null;
  /** The arguments the installed program is started with (the portal's sites it trusts). */
  programArgs: string[];
  maintainer: string;
}

export const MAINTAINER = 'Customs-Port-Trade Single Window <service@example.com>';

export function licenceText(input: PackageInput, platform: Platform): string {
  return `sw-signer ${input.version}: the certificate component (憑證元件) of the Customs-Port-Trade Single Window.

The program is Node.js ${input.nodeVersion} (MIT licence, with the licences of the code Node.js bundles:
https://github.com/nodejs/node/blob/v${input.nodeVersion}/LICENSE) carrying the signer as a single-executable
application. Bundled inside it: node-forge (BSD-3-Clause or GPL-2.0), ws (MIT), pkcs11js's JavaScript (MIT).
${
  input.addon
    ? `Beside it: pkcs11.node, pkcs11js's native add-on (MIT, PeculiarVentures), built for ${platform}.`
    : 'This package has no pkcs11.node add-on: it signs with PKCS#12 soft cards (--p12) and cannot use a card reader.'
}
`;
}
