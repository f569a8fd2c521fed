// What a certificate-component package's page adds: its numbered install steps (locales/<lang>/downloads.json,
// steps.<platform>.1 …) and the 「元件已啟動？」 check, an <object> showing the running signer's /ready.svg with the
// page's own text as its fallback, so it answers without JavaScript (public/js/signer-check.js adds a live answer).
import type { Lang } from '../../plugins/i18n';
import type { InstallerPlatform } from '../../downloads/catalogue';

/** The platform's steps in the request's language, numbered 1 … n in the locale file; {fileName} filled in. */
export function installSteps(
  messages: Record<Lang, Record<string, string>>,
  lang: Lang,
  platform: InstallerPlatform,
  fileName: string,
): string[] {
  const steps: string[] = [];
  for (let n = 1; ; n++) {
    const text =
      messages[lang][`downloads.steps.${platform}.${n}`] ?? messages['zh-TW'][`downloads.steps.${platform}.${n}`];
    if (text === undefined) return steps;
    steps.push(text.replace(/\{fileName\}/g, fileName));
  }
}

export function signerCheck(signerUrl: string, lang: Lang) {
  return { badgeUrl: `${signerUrl}/ready.svg?lang=${lang}`, statusUrl: `${signerUrl}/?lang=${lang}`, signerUrl };
}

/**
 * The page's policy, allowing the signer's picture in an <object> (every other page keeps object-src 'none').
 * Browsers treat an SVG document in an <object> as a frame, so frame-src names the signer too.
 */
export function signerCheckCsp(csp: string, signerUrl: string): string {
  return `${csp
    .replace(/object-src 'none'/, `object-src ${signerUrl}`)
    .replace(/img-src ([^;]*)/, `img-src $1 ${signerUrl}`)};frame-src ${signerUrl}`;
}
