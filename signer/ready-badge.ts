// GET /ready.svg: a small picture saying that the signer runs, for the portal's 「元件已啟動？」 check. A page embeds
// it with fallback text (an <object>), so the check works without JavaScript: when nothing answers on the port, the
// browser shows the page's own text instead. It tells only what the port answering tells anyway: any site may show it.
import type { ServerResponse } from 'node:http';
import { escapeHtml } from './html.js';
import { baseHeaders } from './http-util.js';
import { pickLang, type Lang } from './locale.js';
import { SIGNER_VERSION } from './version.js';

const TEXT: Record<Lang, string> = {
  'zh-TW': `✔ 憑證元件已啟動（${SIGNER_VERSION}）`,
  en: `✔ Certificate component running (${SIGNER_VERSION})`,
};

export function readyBadge(lang: Lang): string {
  const text = escapeHtml(TEXT[lang]);
  return `<svg xmlns="http://www.w3.org/2000/svg" width="360" height="40" viewBox="0 0 360 40" role="img" aria-labelledby="t" lang="${lang}">
<title id="t">${text}</title>
<rect width="360" height="40" rx="4" fill="#e6f4ea" stroke="#1e7b34"/>
<text x="14" y="26" font-size="17" fill="#14532d" font-family="'Noto Sans CJK TC','PingFang TC','Microsoft JhengHei',sans-serif">${text}</text>
</svg>
`;
}

export function handleReadyBadge(res: ServerResponse, url: URL, defaultLang: Lang): void {
  baseHeaders(res);
  res.setHeader('Cross-Origin-Resource-Policy', 'cross-origin');
  // Shown inside another site's page, so no frame-ancestors; it runs nothing and loads nothing.
  res.setHeader('Content-Security-Policy', "default-src 'none'");
  res.writeHead(200, { 'Content-Type': 'image/svg+xml; charset=utf-8' });
  res.end(readyBadge(pickLang(url.searchParams.get('lang'), defaultLang)));
}
