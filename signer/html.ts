// The signer's HTML pages: plain forms, proper lang, labels, no inline script or style.
import type { Lang } from './locale.js';
import { t } from './locale.js';
import { SIGNER_VERSION } from './version.js';

export function escapeHtml(value: string): string {
  return value.replace(
    /[&<>"']/g,
    (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] as string,
  );
}

export function page(options: {
  lang: Lang;
  title: string;
  body: string;
  kind?: 'success' | 'error';
  extraHead?: string;
}): string {
  const text = t(options.lang);
  return `<!DOCTYPE html>
<html lang="${options.lang}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(options.title)} - ${escapeHtml(text.signerName)}</title>
<link rel="stylesheet" href="/signer.css">${options.extraHead ?? ''}
</head>
<body>
<header><p>${escapeHtml(text.signerName)} ${escapeHtml(SIGNER_VERSION)}</p></header>
<main${options.kind ? ` class="${options.kind}"` : ''}>
${options.body}
</main>
</body>
</html>
`;
}

export function hidden(name: string, value: string): string {
  return `<input type="hidden" name="${escapeHtml(name)}" value="${escapeHtml(value)}">`;
}
