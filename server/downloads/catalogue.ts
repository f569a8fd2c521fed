// The 軟體下載 catalogue lists only files the project really ships. At start the portal brings the table up to date:
// the certificate component (the signer package built by `npm run build:signer`) when its manifest exists,
// and the registration quick guide always.
import { existsSync, readFileSync, statSync } from 'node:fs';
import { basename, isAbsolute, join, relative, resolve } from 'node:path';
import type { Db } from '../db/pool';
import { downloadsRepository, type Download, type DownloadItem } from '../db/downloads-repository';

export const PROJECT_ROOT = new URL('../../', import.meta.url).pathname;
export const SIGNER_SLUG = 'signer';
export const MANUAL_SLUG = 'registration-manual';

/** The edition of public/downloads/registration-manual.txt: change it when the guide changes. */
export const MANUAL_EDITION = { version: '1.0', date: '2026-11-27' };

export interface SignerManifest {
  version: string;
  date: string;
  fileName: string;
  size: number;
  sha256: string;
  /** The Node.js versions the package runs on, e.g. ">=20". */
  node?: string;
}

export interface SyncOptions {
  /** Where relative file paths start; the project root unless a test says otherwise. */
  rootDir?: string;
  /** Where `npm run build:signer` writes manifest.json and the package. */
  signerDir?: string;
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
  if (fileName.endsWith('.mjs') || fileName.endsWith('.js')) return 'text/javascript; charset=utf-8';
  return 'application/octet-stream';
}

/** The signer's manifest, or a reason it cannot be listed. */
export function readSignerManifest(signerDir: string): { manifest: SignerManifest } | { problem: string } {
  const file = join(signerDir, 'manifest.json');
  if (!existsSync(file)) return { problem: 'no manifest' };
  let manifest: SignerManifest;
  try {
    manifest = JSON.parse(readFileSync(file, 'utf8')) as SignerManifest;
  } catch (error) {
    return { problem: `manifest.json is not JSON: ${(error as Error).message}` };
  }
  if (typeof manifest.version !== 'string' || !manifest.version) return { problem: 'manifest.json has no version' };
  if (typeof manifest.date !== 'string' || !/^\d{4}-\d{2}-\d{2}/.test(manifest.date))
    return { problem: 'manifest.json has no date' };
  // The file must sit beside the manifest: a name, not a path.
  if (
    typeof manifest.fileName !== 'string' ||
    !manifest.fileName ||
    basename(manifest.fileName) !== manifest.fileName
  ) {
    return { problem: 'manifest.json has no valid fileName' };
  }
  if (!existsSync(join(signerDir, manifest.fileName)) || !statSync(join(signerDir, manifest.fileName)).isFile()) {
    return { problem: `${manifest.fileName} is missing beside manifest.json` };
  }
  return { manifest: { ...manifest, date: manifest.date.slice(0, 10) } };
}

export function manualItem(): DownloadItem {
  return {
    slug: MANUAL_SLUG,
    titleZh: '註冊簡易手冊',
    titleEn: 'Registration quick guide',
    descriptionZh:
      '新版自然人憑證註冊及登入的步驟說明（○ 準備工作、一 註冊、二 登入），中英對照純文字檔，可離線閱讀或列印。網站上的註冊簡易手冊頁面內容相同。',
    descriptionEn:
      'Step-by-step registration and login with the new Citizen Digital Certificate (preparation, registration, login), ' +
      'a plain-text file in Chinese and English to read offline or print. The guide on the website has the same content.',
    publishedOn: MANUAL_EDITION.date,
    version: MANUAL_EDITION.version,
    fileName: 'sw-portal-registration-manual.txt',
    filePath: 'public/downloads/registration-manual.txt',
    contentType: 'text/plain; charset=utf-8',
    priority: 0,
  };
}

export function signerItem(manifest: SignerManifest, filePath: string): DownloadItem {
  // The signer is built as one script run with Node.js (see signer/build.ts); an archive gets the generic wording.
  const script = /\.m?js$/.test(manifest.fileName);
  const node = manifest.node ?? '>=20';
  const howZh = script
    ? `這是以 Node.js（${node}）執行的單一檔案：下載後在命令列執行「node ${manifest.fileName} --help」查看使用方式；` +
      '使用讀卡機時，另需在同一資料夾執行一次「npm install pkcs11js@2」。'
    : '下載後依檔案內的說明安裝。';
  const howEn = script
    ? `It is a single file run with Node.js (${node}): after downloading, run "node ${manifest.fileName} --help" to see how ` +
      'to use it; for a card reader, also run "npm install pkcs11js@2" once in the same folder.'
    : 'Install it as the instructions in the package explain.';
  return {
    slug: SIGNER_SLUG,
    titleZh: `憑證元件 ${manifest.version}版本`,
    titleEn: `Certificate component, version ${manifest.version}`,
    descriptionZh:
      `新版自然人憑證註冊及登入請使用此憑證元件。${howZh}` +
      '元件在您自己的電腦上執行，只接受本機（127.0.0.1:61161）連線，負責與讀卡機溝通、詢問 PIN 碼並簽章；PIN 碼不會傳送到網站。',
    descriptionEn:
      `Use this certificate component to register and log in with the new Citizen Digital Certificate. ${howEn} ` +
      'It runs on your own computer, accepts connections only from it (127.0.0.1:61161), talks to the card reader, asks ' +
      'for your PIN and signs. Your PIN is never sent to the website.',
    publishedOn: manifest.date,
    version: manifest.version,
    fileName: manifest.fileName,
    filePath,
    contentType: contentTypeFor(manifest.fileName),
    // Always item 1 on its date, as in the seed's list.
    priority: 10,
  };
}

/** Brings the downloads table in line with the files on disk; returns the slugs listed. */
export async function syncDownloadsCatalogue(db: Db, options: SyncOptions = {}): Promise<string[]> {
  const rootDir = resolve(options.rootDir ?? PROJECT_ROOT);
  const signerDir = resolve(options.signerDir ?? join(rootDir, 'dist/signer'));
  const repository = downloadsRepository(db);
  const listed: string[] = [];

  const signer = readSignerManifest(signerDir);
  if ('manifest' in signer) {
    const file = join(signerDir, signer.manifest.fileName);
    // Relative to the project when inside it, so every instance finds the file in its own checkout.
    const stored =
      isAbsolute(relative(rootDir, file)) || relative(rootDir, file).startsWith('..') ? file : relative(rootDir, file);
    await repository.upsert(signerItem(signer.manifest, stored));
    listed.push(SIGNER_SLUG);
  } else {
    if (signer.problem !== 'no manifest') options.log?.(`certificate component not listed: ${signer.problem}`);
    await repository.deleteBySlug(SIGNER_SLUG);
  }

  await repository.upsert(manualItem());
  listed.push(MANUAL_SLUG);
  return listed;
}
