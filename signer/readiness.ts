// GET /readiness: the box a site's certificate page shows before the PIN, framed from here so that it works without
// JavaScript: the signer runs (else the page's <object> shows its own fallback text), which card is in the reader
// (holder and card number, from the certificates the card shows without its PIN), and how to change card.
// Only allow-listed sites may frame it (frame-ancestors); a page on another site can neither frame nor read it.
import type { ServerResponse } from 'node:http';
import type { SignerContext } from './context.js';
import { escapeHtml } from './html.js';
import { baseHeaders, sendText } from './http-util.js';
import { pickLang, type Lang } from './locale.js';
import type { CardView } from './signing.js';
import { SIGNER_VERSION } from './version.js';

const texts = {
  'zh-TW': {
    title: '憑證元件狀態',
    running: '憑證元件已啟動',
    version: (v: string) => `（版本 ${v}）`,
    holder: '持卡人',
    cardSerial: '卡號',
    noHolder: '（卡片未提供憑證資料，輸入 PIN碼 後才能讀取）',
    change: '要更換卡片：換插要使用的憑證IC卡，再按「重新檢查」。',
    chooseDemo: '選擇示範卡片（另開視窗）',
    recheck: '重新檢查',
    noReader: '找不到讀卡機：請連接讀卡機後按「重新檢查」。',
    noCard: '讀卡機中沒有卡片：請插入憑證IC卡（自然人憑證、工商憑證或政府憑證）後按「重新檢查」。',
  },
  en: {
    title: 'Certificate signer status',
    running: 'Certificate signer running',
    version: (v: string) => ` (version ${v})`,
    holder: 'Card holder',
    cardSerial: 'Card number',
    noHolder: '(the card shows its certificates only after the PIN)',
    change: 'To change card: insert the card to use, then choose Check again.',
    chooseDemo: 'Choose a demo card (new window)',
    recheck: 'Check again',
    noReader: 'No card reader was found: connect the reader, then choose Check again.',
    noCard:
      'No card in the reader: insert your certificate card (Citizen Digital Certificate, business or government certificate), then choose Check again.',
  },
} as const;

/**
 * Small enough for a frame of a few lines on a phone; the colours keep 4.5:1 on white. The page is transparent around
 * its box, which is as high as its text: the frame's height is the most it may need.
 */
export const READINESS_CSS = `
html { font-family: "Noto Sans CJK TC", "Noto Sans TC", "PingFang TC", "Microsoft JhengHei", sans-serif; font-size: 100%; line-height: 1.5; color: #1b1b1b; background: transparent; }
body { margin: 0; }
main { margin: 0; padding: 0.4rem 0.75rem; border: 2px solid #0b4f8a; border-radius: 4px; background: #fff; }
p { margin: 0 0 0.25rem; }
.status { font-weight: bold; }
.status--ok { color: #0a6b2d; }
.status--warn { color: #8a4b00; }
dl { display: grid; grid-template-columns: max-content 1fr; gap: 0 1rem; margin: 0 0 0.25rem; }
dt { font-weight: bold; }
dd { margin: 0; overflow-wrap: anywhere; }
.hint { color: #444; font-size: 0.95rem; }
.actions { display: flex; flex-wrap: wrap; gap: 0 1.25rem; margin: 0; }
a { color: #0b4f8a; }
a:focus { outline: 3px solid #ffbf47; outline-offset: 1px; }
`;

/** The holder named by the card's signing certificate (the one a login signs with). */
function holderOf(card: CardView): string | undefined {
  return (card.certificates.find((c) => c.usage === 'signing') ?? card.certificates.find((c) => !c.isCA))?.commonName;
}

function readinessPage(lang: Lang, body: string): string {
  return `<!DOCTYPE html>
<html lang="${lang}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(texts[lang].title)}</title>
<link rel="stylesheet" href="/readiness.css">
</head>
<body>
<main>
${body}
</main>
</body>
</html>
`;
}

export async function handleReadiness(ctx: SignerContext, res: ServerResponse, url: URL): Promise<void> {
  const lang = pickLang(url.searchParams.get('lang'), ctx.lang);
  // A kiosk's pages have no links that open other windows.
  const kiosk = url.searchParams.get('kiosk') === '1';
  const text = texts[lang];
  const self = `/readiness?lang=${lang}${kiosk ? '&kiosk=1' : ''}`;
  const [slots, cards, card] = await Promise.all([ctx.service.slots(), ctx.service.cards(), ctx.service.cardInUse()]);
  const running = `<strong>${escapeHtml(text.running)}</strong>${escapeHtml(text.version(SIGNER_VERSION))}`;
  let status: string;
  if (slots.length === 0) {
    status = `<p class="status status--warn" id="status" data-state="no_reader">${running}. ${escapeHtml(text.noReader)}</p>`;
  } else if (!card) {
    status = `<p class="status status--warn" id="status" data-state="no_card">${running}. ${escapeHtml(text.noCard)}</p>`;
  } else {
    const holder = holderOf(card);
    status = `<p class="status status--ok" id="status" data-state="ready">${running}</p>
<dl>
<dt>${escapeHtml(text.holder)}</dt><dd id="holder">${holder ? escapeHtml(holder) : escapeHtml(text.noHolder)}</dd>
<dt>${escapeHtml(text.cardSerial)}</dt><dd id="card-serial">${escapeHtml(card.serial)}</dd>
</dl>`;
  }
  // Soft cards (the demo) are "inserted" on the signer's own page; a real card is swapped in the reader.
  const chooser =
    !kiosk && cards.length > 1 && cards.every((c) => c.backend === 'pkcs12')
      ? `<a href="/?lang=${lang}" target="_blank" rel="noopener">${escapeHtml(text.chooseDemo)}</a>`
      : '';
  const body = `${status}
<p class="hint">${escapeHtml(text.change)}</p>
<p class="actions"><a href="${escapeHtml(self)}" id="recheck">${escapeHtml(text.recheck)}</a>${chooser}</p>`;

  baseHeaders(res);
  // Framed by the allow-listed sites only; the list is read per request, as /addDomain may have grown it.
  const ancestors = ["'self'", ...ctx.policy.origins].join(' ');
  res.setHeader(
    'Content-Security-Policy',
    `default-src 'none'; style-src 'self'; img-src 'self'; form-action 'none'; base-uri 'none'; frame-ancestors ${ancestors}`,
  );
  res.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8' });
  res.end(readinessPage(lang, body));
}

export function handleReadinessCss(res: ServerResponse): void {
  sendText(res, 200, 'text/css', READINESS_CSS, 3600);
}
