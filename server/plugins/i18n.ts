// zh-TW first, English second. Messages live in locales/<lang>/<namespace>.json; a key is "namespace.path.to.text".
import fp from 'fastify-plugin';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

export const LANGUAGES = ['zh-TW', 'en'] as const;
export type Lang = (typeof LANGUAGES)[number];
export const DEFAULT_LANG: Lang = 'zh-TW';
export const LOCALES_DIR = new URL('../../locales/', import.meta.url).pathname;

type Messages = Record<string, string>;
export type Translate = (key: string, params?: Record<string, string | number>) => string;

function flatten(prefix: string, value: unknown, into: Messages): void {
  if (typeof value === 'string') {
    into[prefix] = value;
  } else if (value && typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) flatten(prefix ? `${prefix}.${k}` : k, v, into);
  }
}

export function loadMessages(dir = LOCALES_DIR): Record<Lang, Messages> {
  const result = {} as Record<Lang, Messages>;
  for (const lang of LANGUAGES) {
    const messages: Messages = {};
    for (const file of readdirSync(join(dir, lang))
      .filter((f) => f.endsWith('.json'))
      .sort()) {
      flatten(file.replace(/\.json$/, ''), JSON.parse(readFileSync(join(dir, lang, file), 'utf8')), messages);
    }
    result[lang] = messages;
  }
  return result;
}

export function makeTranslate(messages: Record<Lang, Messages>, lang: Lang): Translate {
  return (key, params) => {
    const text = messages[lang][key] ?? messages[DEFAULT_LANG][key] ?? key;
    if (!params) return text;
    return text.replace(/\{(\w+)\}/g, (whole, name: string) => (name in params ? String(params[name]) : whole));
  };
}

export function parseLang(value: unknown): Lang | undefined {
  return LANGUAGES.find((l) => l === value);
}

declare module 'fastify' {
  interface FastifyRequest {
    lang: Lang;
    t: Translate;
  }
  interface FastifyInstance {
    messages: Record<Lang, Messages>;
  }
}

export default fp(
  async (app) => {
    const messages = loadMessages();
    app.decorate('messages', messages);
    app.decorateRequest('lang', DEFAULT_LANG);
    app.decorateRequest('t', null as unknown as Translate);
    app.addHook('onRequest', async (request) => {
      const chosen = parseLang(request.cookies?.lang);
      request.lang = chosen ?? DEFAULT_LANG;
      request.t = makeTranslate(messages, request.lang);
    });
  },
  { name: 'i18n', dependencies: ['@fastify/cookie'] },
);
