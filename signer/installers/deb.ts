// The Linux package: a .deb made with dpkg-deb. It installs the program in /usr/lib/sw-signer (with pkcs11js's
// add-on beside it), /usr/bin/sw-signer, and a systemd user service enabled for every user, so the signer runs in
// each desktop session; `systemctl --user start sw-signer` starts it at once.
import {
  mkdirSync,
  readFileSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync,
  chmodSync,
  copyFileSync,
} from 'node:fs';
import { join } from 'node:path';
import { elfNeeds } from './elf-needs.js';
import { licenceText, type PackageInput } from './package-input.js';
import { run } from './run.js';

export const DEB_PACKAGE_NAME = 'sw-signer';
export const DEB_PROGRAM_DIR = '/usr/lib/sw-signer';
export const DEB_SERVICE = 'sw-signer.service';

function dirSizeKiB(files: string[]): number {
  return Math.ceil(files.reduce((sum, f) => sum + statSync(f).size, 0) / 1024);
}

export function serviceUnit(input: PackageInput): string {
  return `[Unit]
Description=sw-signer ${input.version}: the certificate component of the Customs-Port-Trade Single Window (127.0.0.1:61161)

[Service]
ExecStart=/usr/bin/sw-signer ${input.programArgs.join(' ')}
Restart=on-failure

[Install]
WantedBy=default.target
`;
}

export function buildDeb(input: PackageInput, workDir: string, outFile: string): void {
  const root = join(workDir, 'deb-root');
  rmSync(root, { recursive: true, force: true });
  const programDir = join(root, DEB_PROGRAM_DIR.slice(1));
  mkdirSync(programDir, { recursive: true });
  const program = join(programDir, 'sw-signer');
  copyFileSync(input.program, program);
  chmodSync(program, 0o755);
  const shipped = [program];
  if (input.addon) {
    copyFileSync(input.addon, join(programDir, 'pkcs11.node'));
    chmodSync(join(programDir, 'pkcs11.node'), 0o644);
    shipped.push(join(programDir, 'pkcs11.node'));
  }
  mkdirSync(join(root, 'usr/bin'), { recursive: true });
  symlinkSync('../lib/sw-signer/sw-signer', join(root, 'usr/bin/sw-signer'));
  mkdirSync(join(root, 'usr/lib/systemd/user'), { recursive: true });
  writeFileSync(join(root, 'usr/lib/systemd/user', DEB_SERVICE), serviceUnit(input));
  mkdirSync(join(root, 'usr/share/doc/sw-signer'), { recursive: true });
  writeFileSync(join(root, 'usr/share/doc/sw-signer/copyright'), licenceText(input, 'linux'));

  const needs = elfNeeds(shipped.map((f) => readFileSync(f)));
  const depends = [
    needs.glibc ? `libc6 (>= ${needs.glibc})` : 'libc6',
    needs.libstdcxx ? `libstdc++6 (>= ${needs.libstdcxx})` : 'libstdc++6',
  ];
  mkdirSync(join(root, 'DEBIAN'), { recursive: true });
  writeFileSync(
    join(root, 'DEBIAN/control'),
    [
      `Package: ${DEB_PACKAGE_NAME}`,
      `Version: ${input.version}`,
      'Architecture: amd64',
      'Section: utils',
      'Priority: optional',
      `Maintainer: ${input.maintainer}`,
      `Depends: ${depends.join(', ')}`,
      `Installed-Size: ${dirSizeKiB(shipped)}`,
      `Description: certificate component (憑證元件) of the Customs-Port-Trade Single Window`,
      " A local signer on http://127.0.0.1:61161 that signs the portal's login and registration",
      " challenges with the Citizen Digital Certificate (自然人憑證) through the card reader's",
      ` PKCS#11 module. The PIN is used for the card only. Node.js ${input.nodeVersion} is inside the program.`,
      '',
    ].join('\n'),
  );
  // Enabled for every user's session; running sessions start it themselves (systemctl --user start sw-signer).
  // DPKG_ROOT is set when dpkg installs into another root (dpkg --root, as the tests do).
  const postinst = `#!/bin/sh
set -e
if [ "$1" = configure ] && command -v systemctl >/dev/null 2>&1; then
  systemctl --root="\${DPKG_ROOT:-/}" --global enable ${DEB_SERVICE} >/dev/null 2>&1 || true
fi
exit 0
`;
  const prerm = `#!/bin/sh
set -e
if [ "$1" = remove ] && command -v systemctl >/dev/null 2>&1; then
  systemctl --root="\${DPKG_ROOT:-/}" --global disable ${DEB_SERVICE} >/dev/null 2>&1 || true
fi
exit 0
`;
  writeFileSync(join(root, 'DEBIAN/postinst'), postinst, { mode: 0o755 });
  writeFileSync(join(root, 'DEBIAN/prerm'), prerm, { mode: 0o755 });
  rmSync(outFile, { force: true });
  // gzip: a few seconds where xz takes over a minute for 8 MB less; files owned by root whoever builds.
  run('dpkg-deb', ['--root-owner-group', '-Zgzip', '--build', root, outFile], { debianPackage: 'dpkg' });
  rmSync(root, { recursive: true, force: true });
}
