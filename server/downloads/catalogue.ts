// The 軟體下載 catalogue lists only files the project really ships. At start the portal brings the table up to date:
// the certificate component's packages (Windows, macOS, Linux, built by `npm run build:installers`) that are there,
// and the registration quick guide always.
import { existsSync, readFileSync, statSync } from 'node:fs';
import { basename, isAbsolute, join, relative, resolve } from 'node:path';
import type { Db } from '../db/pool';
import { downloadsRepository, type Download, type DownloadItem } from '../db/downloads-repository';

export const PROJECT_ROOT = new URL('../../', import.meta.url).pathname;
export const SIGNER_SLUG = 'signer';
export const MANUAL_SLUG = 'registration-manual';

/** The edition of public/downloads/registration-manual.txt: change it when the guide changes. */
export const MANUAL_EDITION = { version: '1.1', date: '2026-12-04' };

/** What `npm run build:installers` writes beside the packages (signer/installers/build.ts). */
export interface InstallersManifest {
  version: string;
  date: string;
  node: string;
  packages: Array<{ platform: string; fileName: string; size: number; sha256: string; cardReaders: boolean }>;
}

export type InstallerPlatform = 'windows' | 'macos' | 'linux';
export const INSTALLER_PLATFORMS: readonly InstallerPlatform[] = ['windows', 'macos', 'linux'];

/** The catalogue slug of a platform's package: signer-windows, signer-macos, signer-linux. */
export function installerSlug(platform: InstallerPlatform): string {
  return `${SIGNER_SLUG}-${platform}`;
}

/** The platform of an installer item, from its slug; undefined for other items. */
export function installerPlatformOf(slug: string): InstallerPlatform | undefined {
  return INSTALLER_PLATFORMS.find((p) => installerSlug(p) === slug);
}

export interface SyncOptions {
  /** Where relative file paths start; the project root unless a test says otherwise. */
  rootDir?: string;
  /** Where `npm run build:installers` writes the packages and manifest.json; default DATA_DIR/installers. */
  installersDir?: string;
  log?: (message: string) => void;
}

/** An item's file on disk: file_path is relative to the project root (or absolute), written only by the sync below. */
export function shippedFilePath(item: Pick<Download, 'filePath'>): string {
  return resolve(PROJECT_ROOT, item.filePath);
}

export function contentTypeFor(fileName: string): string {
  if (fileName.endsWith('.zip')) return 'application/zip';
  if (fileName.endsWith('.tar.gz') || fileName.endsWith('.tgz')) return 'application/gzip';
  if (fileName.endsWith('.txt')) return 'text/plain; charset=utf-8';
  if (fileName.endsWith('.msi')) return 'application/x-msi';
  if (fileName.endsWith('.pkg')) return 'application/octet-stream';
  if (fileName.endsWith('.deb')) return 'application/vnd.debian.binary-package';
  return 'application/octet-stream';
}

/** The installers' manifest with the packages whose files are there, or a reason none can be listed. */
export function readInstallersManifest(dir: string): { manifest: InstallersManifest } | { problem: string } {
  const file = join(dir, 'manifest.json');
  if (!existsSync(file)) return { problem: 'no manifest' };
  let manifest: InstallersManifest;
  try {
    manifest = JSON.parse(readFileSync(file, 'utf8')) as InstallersManifest;
  } catch (error) {
    return { problem: `manifest.json is not JSON: ${(error as Error).message}` };
  }
  if (typeof manifest.version !== 'string' || !manifest.version) return { problem: 'manifest.json has no version' };
  if (typeof manifest.date !== 'string' || !/^\d{4}-\d{2}-\d{2}/.test(manifest.date))
    return { problem: 'manifest.json has no date' };
  if (!Array.isArray(manifest.packages)) return { problem: 'manifest.json has no packages' };
  const packages = manifest.packages.filter(
    (p) =>
      INSTALLER_PLATFORMS.includes(p.platform as InstallerPlatform) &&
      typeof p.fileName === 'string' &&
      p.fileName !== '' &&
      // The file must sit beside the manifest: a name, not a path.
      basename(p.fileName) === p.fileName &&
      existsSync(join(dir, p.fileName)) &&
      statSync(join(dir, p.fileName)).isFile(),
  );
  return { manifest: { ...manifest, date: manifest.date.slice(0, 10), packages } };
}

export function manualItem(): DownloadItem {
  return {
    slug: MANUAL_SLUG,
    titleZh: '註冊簡易手冊',
    titleEn: 'Registration quick guide',
    descriptionZh:
      '新版自然人憑證註冊及登入的步驟說明（○ 準備工作、一 註冊、二 登入），以及公司、行號及政府機關以工商憑證、' +
      '政府憑證或通關專屬憑證註冊及登入的說明（三 申請類別及憑證、四 註冊、五 工商憑證登入、六 換發憑證），' +
      '中英對照純文字檔，可離線閱讀或列印。網站上的註冊簡易手冊頁面內容相同。',
    descriptionEn:
      'Step-by-step registration and login with the new Citizen Digital Certificate (preparation, registration, login), ' +
      'and for companies, firms and government agencies with a business, government or customs-only certificate ' +
      '(categories and certificates, registration, business certificate login, a renewed certificate), ' +
      'a plain-text file in Chinese and English to read offline or print. The guide on the website has the same content.',
    publishedOn: MANUAL_EDITION.date,
    version: MANUAL_EDITION.version,
    fileName: 'sw-portal-registration-manual.txt',
    filePath: 'public/downloads/registration-manual.txt',
    contentType: 'text/plain; charset=utf-8',
    priority: 0,
  };
}

const PLATFORM_TITLES: Record<InstallerPlatform, { zh: string; en: string }> = {
  windows: { zh: 'Windows 安裝程式', en: 'Windows installer' },
  macos: { zh: 'macOS 安裝套件', en: 'macOS package' },
  linux: { zh: 'Linux 套件（.deb）', en: 'Linux package (.deb)' },
};

/** What each package holds and what could be checked where it was built, said plainly on its page. */
function installerDescription(
  platform: InstallerPlatform,
  manifest: InstallersManifest,
  cardReaders: boolean,
): { zh: string; en: string } {
  const common = {
    zh:
      `新版自然人憑證註冊及登入請先安裝此憑證元件。程式內含 Node.js ${manifest.node}，不必另外安裝 Node.js。` +
      '元件在您自己的電腦上執行，只接受本機（127.0.0.1:61161）連線，負責與讀卡機溝通、詢問 PIN 碼並簽章；PIN 碼不會傳送到網站。',
    en:
      'Install this certificate component before you register or log in with the new Citizen Digital Certificate. ' +
      `Node.js ${manifest.node} is inside the program: there is nothing else to install. It runs on your own computer, ` +
      'accepts connections only from it (127.0.0.1:61161), talks to the card reader, asks for your PIN and signs. ' +
      'Your PIN is never sent to the website.',
  };
  const reader = cardReaders
    ? {
        zh: '讀卡機經由卡片的 PKCS#11 模組（如 HiCOS）使用，模組 pkcs11.node 已包含在套件內。',
        en: "Card readers are used through the card's PKCS#11 module (such as HiCOS); the pkcs11.node add-on is included.",
      }
    : {
        zh: '此套件不含讀卡機模組 pkcs11.node，只能使用 PKCS#12 軟體憑證（--p12）。',
        en: 'This package has no pkcs11.node add-on: it works with PKCS#12 soft cards (--p12) only, not with a card reader.',
      };
  const specific: Record<InstallerPlatform, { zh: string; en: string }> = {
    windows: {
      zh:
        'Windows 10／11（64 位元）的 .msi 安裝程式：安裝到 Program Files\\sw-signer，並在「開始」功能表與「啟動」資料夾建立捷徑，每次登入時自動啟動。' +
        '讀卡機模組以 MinGW-w64 從 pkcs11js 原始碼交叉編譯。安裝程式尚未經程式碼簽章，Windows 可能先顯示警告。' +
        '本套件在 Linux 上建置，其資料表與檔案已以 msitools 檢查，但尚未在 Windows 上實際安裝測試。',
      en:
        'An .msi installer for 64-bit Windows 10/11: it installs into Program Files\\sw-signer and adds shortcuts to the ' +
        'Start menu and the Startup folder, so the component starts at every login. The card-reader add-on is ' +
        "cross-compiled from pkcs11js's sources with MinGW-w64. The installer is not code-signed, so Windows may warn " +
        'first. It is built on Linux; its tables and files are checked with msitools, but it has not been installed on ' +
        'Windows in testing.',
    },
    macos: {
      zh:
        'macOS 的 .pkg 安裝套件：安裝到「/Library/Application Support/sw-signer」，並以 LaunchAgent 在每次登入時自動啟動。' +
        '程式為 Intel（x86_64）版本，Apple 晶片的 Mac 會先請您安裝 Rosetta 2。' +
        '套件未經 Apple 簽章與公證，第一次開啟需在「系統設定 › 隱私權與安全性」按「強制打開」。' +
        'pkcs11js 沒有 macOS 的預先編譯版本，建置環境也無法編譯，因此此版本不支援讀卡機。' +
        '本套件在 Linux 上建置，其結構（xar、Bom、Payload）已檢查，但尚未在 Mac 上實際安裝測試。',
      en:
        'A .pkg for macOS: it installs into "/Library/Application Support/sw-signer" and a LaunchAgent starts it at every ' +
        'login. The program is an Intel (x86_64) build; on a Mac with Apple silicon, the installer first asks for ' +
        'Rosetta 2. The package is not signed or notarised by Apple: the first time, choose Open Anyway in System ' +
        'Settings › Privacy & Security. pkcs11js has no prebuilt macOS binary and it cannot be compiled where the ' +
        'package is built, so this version does not support card readers. It is built on Linux; its structure (xar, ' +
        'Bom, Payload) is checked, but it has not been installed on a Mac in testing.',
    },
    linux: {
      zh:
        'Debian／Ubuntu（amd64）的 .deb 套件：安裝到 /usr/lib/sw-signer，並以 systemd 使用者服務在每次登入時自動啟動。' +
        '讀卡機模組為 npm 安裝 pkcs11js 時編譯的版本。本套件已在建置機器上安裝並實際執行測試。',
      en:
        'A .deb for Debian and Ubuntu (amd64): it installs into /usr/lib/sw-signer and a systemd user service starts it ' +
        'at every login. The card-reader add-on is the one npm built when installing pkcs11js. This package is installed ' +
        'and run in the tests where it is built.',
    },
  };
  return {
    zh: `${common.zh}${specific[platform].zh}${reader.zh}`,
    en: `${common.en} ${specific[platform].en} ${reader.en}`,
  };
}

export function installerItem(
  manifest: InstallersManifest,
  pkg: InstallersManifest['packages'][number],
  filePath: string,
): DownloadItem {
  const platform = pkg.platform as InstallerPlatform;
  const title = PLATFORM_TITLES[platform];
  const description = installerDescription(platform, manifest, pkg.cardReaders);
  return {
    slug: installerSlug(platform),
    titleZh: `憑證元件 ${manifest.version}版本（${title.zh}）`,
    titleEn: `Certificate component, version ${manifest.version} (${title.en})`,
    descriptionZh: description.zh,
    descriptionEn: description.en,
    publishedOn: manifest.date,
    version: manifest.version,
    fileName: pkg.fileName,
    filePath,
    contentType: contentTypeFor(pkg.fileName),
    // The certificate component comes first on its date, as in the seed's list: Windows, macOS, Linux.
    priority: 13 - INSTALLER_PLATFORMS.indexOf(platform),
  };
}

/** Brings the downloads table in line with the files on disk; returns the slugs listed. */
export async function syncDownloadsCatalogue(db: Db, options: SyncOptions = {}): Promise<string[]> {
  const rootDir = resolve(options.rootDir ?? PROJECT_ROOT);
  const installersDir = resolve(options.installersDir ?? join(process.env.DATA_DIR || 'data', 'installers'));
  const repository = downloadsRepository(db);
  const listed: string[] = [];

  const installers = readInstallersManifest(installersDir);
  const shipped = 'manifest' in installers ? installers.manifest.packages : [];
  if ('problem' in installers && installers.problem !== 'no manifest') {
    options.log?.(`certificate component not listed: ${installers.problem}`);
  }
  for (const platform of INSTALLER_PLATFORMS) {
    const pkg = shipped.find((p) => p.platform === platform);
    if (pkg && 'manifest' in installers) {
      const file = join(installersDir, pkg.fileName);
      // Relative to the project when inside it, so every instance finds the file in its own checkout.
      const rel = relative(rootDir, file);
      const stored = isAbsolute(rel) || rel.startsWith('..') ? file : rel;
      await repository.upsert(installerItem(installers.manifest, pkg, stored));
      listed.push(installerSlug(platform));
    } else {
      await repository.deleteBySlug(installerSlug(platform));
    }
  }
  // The single-file script of earlier versions needed Node.js and npm: it is no longer offered.
  await repository.deleteBySlug(SIGNER_SLUG);

  await repository.upsert(manualItem());
  listed.push(MANUAL_SLUG);
  return listed;
}
