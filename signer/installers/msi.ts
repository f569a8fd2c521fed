// The Windows package: an .msi made with wixl (Debian msitools) from a WiX source. It installs the program and
// pkcs11js's add-on in Program Files\sw-signer, a Start-menu shortcut, and a shortcut in the all-users Startup
// folder so the signer runs at every login; the installer starts it once at the end. Every text in the MSI is
// ASCII: wixl 0.101 crashes on any other character.
import { mkdirSync, rmSync, writeFileSync, copyFileSync } from 'node:fs';
import { join } from 'node:path';
import { licenceText, type PackageInput } from './package-input.js';
import { run } from './run.js';

// Fixed: a later version with the same UpgradeCode replaces the installed one.
export const MSI_UPGRADE_CODE = '6D3A0E52-7C1B-4B8E-9F0A-5A1C2E4B7D10';
const GUIDS = {
  program: 'A1F4C2D8-3B5E-4C7A-8D9F-0E1B2C3D4E51',
  addon: 'A1F4C2D8-3B5E-4C7A-8D9F-0E1B2C3D4E52',
  notice: 'A1F4C2D8-3B5E-4C7A-8D9F-0E1B2C3D4E53',
  menu: 'A1F4C2D8-3B5E-4C7A-8D9F-0E1B2C3D4E54',
  startup: 'A1F4C2D8-3B5E-4C7A-8D9F-0E1B2C3D4E55',
};

function xml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

/** An MSI ProductVersion: three numbers (1.2.0). */
function msiVersion(version: string): string {
  const numbers = version.split(/[.-]/).map(Number).filter(Number.isInteger).slice(0, 3);
  while (numbers.length < 3) numbers.push(0);
  return numbers.join('.');
}

export function wixSource(input: PackageInput): string {
  const args = xml(input.programArgs.join(' '));
  const addon = input.addon
    ? `<Component Id="Addon" Guid="${GUIDS.addon}" Win64="yes"><File Id="AddonNode" Name="pkcs11.node" Source="pkcs11.node" KeyPath="yes"/></Component>`
    : '';
  return `<?xml version="1.0" encoding="utf-8"?>
<Wix xmlns="http://schemas.microsoft.com/wix/2006/wi">
  <Product Id="*" Name="sw-signer ${xml(input.version)} Certificate Component" Language="1028"
           Version="${msiVersion(input.version)}" Manufacturer="Customs-Port-Trade Single Window" UpgradeCode="${MSI_UPGRADE_CODE}">
    <Package InstallerVersion="500" Compressed="yes" InstallScope="perMachine"
             Description="sw-signer ${xml(input.version)}: certificate component of the Customs-Port-Trade Single Window"
             Comments="Node.js ${xml(input.nodeVersion)} single-executable application; listens on 127.0.0.1:61161 only"/>
    <Media Id="1" Cabinet="signer.cab" EmbedCab="yes"/>
    <MajorUpgrade DowngradeErrorMessage="A newer sw-signer is already installed."/>
    <Directory Id="TARGETDIR" Name="SourceDir">
      <Directory Id="ProgramFiles64Folder">
        <Directory Id="INSTALLDIR" Name="sw-signer">
          <Component Id="Program" Guid="${GUIDS.program}" Win64="yes">
            <File Id="SignerExe" Name="sw-signer.exe" Source="sw-signer.exe" KeyPath="yes"/>
          </Component>
          ${addon}
          <Component Id="Notice" Guid="${GUIDS.notice}" Win64="yes">
            <File Id="NoticeTxt" Name="NOTICE.txt" Source="NOTICE.txt" KeyPath="yes"/>
          </Component>
        </Directory>
      </Directory>
      <Directory Id="ProgramMenuFolder">
        <Component Id="MenuShortcut" Guid="${GUIDS.menu}">
          <Shortcut Id="MenuSigner" Name="sw-signer Certificate Component" Description="Customs-Port-Trade Single Window certificate component"
                    Target="[INSTALLDIR]sw-signer.exe" Arguments="${args}" WorkingDirectory="INSTALLDIR"/>
          <RegistryValue Root="HKLM" Key="Software\\sw-signer" Name="menu" Type="integer" Value="1" KeyPath="yes"/>
        </Component>
      </Directory>
      <Directory Id="StartupFolder">
        <Component Id="StartupShortcut" Guid="${GUIDS.startup}">
          <Shortcut Id="StartupSigner" Name="sw-signer Certificate Component" Description="Customs-Port-Trade Single Window certificate component"
                    Target="[INSTALLDIR]sw-signer.exe" Arguments="${args}" WorkingDirectory="INSTALLDIR"/>
          <RegistryValue Root="HKLM" Key="Software\\sw-signer" Name="startup" Type="integer" Value="1" KeyPath="yes"/>
        </Component>
      </Directory>
    </Directory>
    <Feature Id="Signer" Level="1" Title="sw-signer">
      <ComponentRef Id="Program"/>
      ${input.addon ? '<ComponentRef Id="Addon"/>' : ''}
      <ComponentRef Id="Notice"/>
      <ComponentRef Id="MenuShortcut"/>
      <ComponentRef Id="StartupShortcut"/>
    </Feature>
    <CustomAction Id="StartSigner" FileKey="SignerExe" ExeCommand="${args}" Return="asyncNoWait" Impersonate="yes"/>
    <InstallExecuteSequence>
      <Custom Action="StartSigner" After="InstallFinalize">NOT Installed</Custom>
    </InstallExecuteSequence>
  </Product>
</Wix>
`;
}

export function buildMsi(input: PackageInput, workDir: string, outFile: string): void {
  const dir = join(workDir, 'msi-src');
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  copyFileSync(input.program, join(dir, 'sw-signer.exe'));
  if (input.addon) copyFileSync(input.addon, join(dir, 'pkcs11.node'));
  writeFileSync(join(dir, 'NOTICE.txt'), licenceText(input, 'windows').replace(/\n/g, '\r\n'));
  writeFileSync(join(dir, 'sw-signer.wxs'), wixSource(input));
  rmSync(outFile, { force: true });
  run('wixl', ['-a', 'x64', '-o', outFile, 'sw-signer.wxs'], { cwd: dir, debianPackage: 'wixl' });
  rmSync(dir, { recursive: true, force: true });
}
