// The macOS package: a flat .pkg (a xar archive) with a Distribution and one component package sw-signer.pkg
// (PackageInfo, Bom, Payload, Scripts). It installs the program in /Library/Application Support/sw-signer and a
// LaunchAgent that runs it in every user's session; its postinstall script starts it for the user logged in.
// The program is an Intel (x86_64) binary: on Apple silicon, Installer asks for Rosetta 2 first. It is not signed
// or notarised (no Apple Developer ID here), so Gatekeeper asks the user to open it from System Settings.
import { readFileSync, writeFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { bomFor } from './bom.js';
import { cpioArchive, S_IFDIR, S_IFREG, type CpioEntry } from './cpio.js';
import { licenceText, type PackageInput } from './package-input.js';
import { BUNDLE_ID } from './platforms.js';
import { xarArchive } from './xar.js';

export const PKG_PROGRAM_DIR = '/Library/Application Support/sw-signer';
export const PKG_LAUNCH_AGENT = `/Library/LaunchAgents/${BUNDLE_ID}.plist`;
export const PKG_COMPONENT = 'sw-signer.pkg';

const ADMIN_GID = 80;

function xml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

export function launchAgent(input: PackageInput): string {
  const args = [`${PKG_PROGRAM_DIR}/sw-signer`, ...input.programArgs];
  return `<?xml version="1.0" encoding="UTF-8"?>
<!DOCTYPE plist PUBLIC "-//Apple//DTD PLIST 1.0//EN" "http://www.apple.com/DTDs/PropertyList-1.0.dtd">
<plist version="1.0">
<dict>
  <key>Label</key>
  <string>${BUNDLE_ID}</string>
  <key>ProgramArguments</key>
  <array>
${args.map((a) => `    <string>${xml(a)}</string>`).join('\n')}
  </array>
  <key>RunAtLoad</key>
  <true/>
  <key>KeepAlive</key>
  <dict>
    <key>SuccessfulExit</key>
    <false/>
  </dict>
  <key>ProcessType</key>
  <string>Interactive</string>
</dict>
</plist>
`;
}

// Installer runs it as root: the LaunchAgent is loaded into the session of the user at the console.
const POSTINSTALL = `#!/bin/sh
agent="${PKG_LAUNCH_AGENT}"
user_id=$(stat -f %u /dev/console)
if [ -n "$user_id" ] && [ "$user_id" -ne 0 ]; then
  launchctl bootout "gui/$user_id" "$agent" 2>/dev/null || true
  launchctl bootstrap "gui/$user_id" "$agent" || true
fi
exit 0
`;

export function payloadEntries(input: PackageInput, mtime: number): CpioEntry[] {
  const dir = (path: string, gid = 0): CpioEntry => ({ path, mode: S_IFDIR | 0o755, uid: 0, gid, mtime });
  const file = (path: string, data: Buffer, perm: number): CpioEntry => ({
    path,
    mode: S_IFREG | perm,
    uid: 0,
    gid: 0,
    mtime,
    data,
  });
  return [
    dir('.'),
    dir('./Library'),
    dir('./Library/Application Support', ADMIN_GID),
    dir(`.${PKG_PROGRAM_DIR}`),
    file(`.${PKG_PROGRAM_DIR}/sw-signer`, readFileSync(input.program), 0o755),
    file(`.${PKG_PROGRAM_DIR}/NOTICE.txt`, Buffer.from(licenceText(input, 'macos')), 0o644),
    ...(input.addon ? [file(`.${PKG_PROGRAM_DIR}/pkcs11.node`, readFileSync(input.addon), 0o644)] : []),
    dir('./Library/LaunchAgents'),
    file(`.${PKG_LAUNCH_AGENT}`, Buffer.from(launchAgent(input)), 0o644),
  ];
}

export function buildPkg(input: PackageInput, outFile: string, created: Date): void {
  const mtime = Math.floor(created.getTime() / 1000);
  const entries = payloadEntries(input, mtime);
  const files = entries.filter((e) => e.data);
  const installKBytes = Math.ceil(files.reduce((sum, e) => sum + e.data!.length, 0) / 1024);
  const payload = gzipSync(cpioArchive(entries), { level: 6 });
  const scripts = gzipSync(
    cpioArchive([
      { path: '.', mode: S_IFDIR | 0o755, uid: 0, gid: 0, mtime },
      { path: './postinstall', mode: S_IFREG | 0o755, uid: 0, gid: 0, mtime, data: Buffer.from(POSTINSTALL) },
    ]),
  );
  const packageInfo = `<?xml version="1.0" encoding="utf-8"?>
<pkg-info overwrite-permissions="true" relocatable="false" identifier="${BUNDLE_ID}" postinstall-action="none" version="${xml(input.version)}" format-version="2" generator-version="sw-portal" install-location="/" auth="root">
  <payload numberOfFiles="${entries.length}" installKBytes="${installKBytes}"/>
  <bundle-version/>
  <upgrade-bundle/>
  <update-bundle/>
  <atomic-update-bundle/>
  <strict-identifier/>
  <relocate/>
  <scripts>
    <postinstall file="./postinstall"/>
  </scripts>
</pkg-info>
`;
  const distribution = `<?xml version="1.0" encoding="utf-8"?>
<installer-gui-script minSpecVersion="2">
  <title>憑證元件 sw-signer ${xml(input.version)}</title>
  <options customize="never" require-scripts="false" hostArchitectures="x86_64"/>
  <domains enable_localSystem="true"/>
  <choices-outline>
    <line choice="default">
      <line choice="${BUNDLE_ID}"/>
    </line>
  </choices-outline>
  <choice id="default"/>
  <choice id="${BUNDLE_ID}" visible="false">
    <pkg-ref id="${BUNDLE_ID}"/>
  </choice>
  <pkg-ref id="${BUNDLE_ID}" version="${xml(input.version)}" onConclusion="none" installKBytes="${installKBytes}">#${PKG_COMPONENT}</pkg-ref>
</installer-gui-script>
`;
  writeFileSync(
    outFile,
    xarArchive(
      [
        { path: 'Distribution', data: Buffer.from(distribution) },
        { path: `${PKG_COMPONENT}/PackageInfo`, data: Buffer.from(packageInfo) },
        { path: `${PKG_COMPONENT}/Bom`, data: bomFor(entries) },
        { path: `${PKG_COMPONENT}/Payload`, data: payload },
        { path: `${PKG_COMPONENT}/Scripts`, data: scripts },
      ],
      created,
    ),
  );
}
