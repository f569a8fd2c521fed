// Bounded HTTP for revocation data: a timeout and a size limit on every download, http(s) only.
export class FetchError extends Error {
  override name = 'FetchError';
}

export type Fetcher = typeof fetch;

export interface HttpOptions {
  timeoutMs: number;
  maxBytes: number;
  fetch?: Fetcher;
}

export async function httpRequest(
  url: string,
  init: { method?: 'GET' | 'POST'; body?: Buffer; contentType?: string; accept?: string },
  options: HttpOptions,
): Promise<{ body: Buffer; contentType: string }> {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new FetchError(`bad URL ${url}`);
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') throw new FetchError(`unsupported scheme in ${url}`);
  const doFetch = options.fetch ?? fetch;
  const signal = AbortSignal.timeout(options.timeoutMs);
  let response: Response;
  try {
    response = await doFetch(parsed, {
      method: init.method ?? 'GET',
      body: init.body ? new Uint8Array(init.body) : undefined,
      headers: {
        ...(init.contentType ? { 'content-type': init.contentType } : {}),
        ...(init.accept ? { accept: init.accept } : {}),
      },
      signal,
      redirect: 'follow',
    });
  } catch (error) {
    throw new FetchError(
      `${url}: ${(error as Error).name === 'TimeoutError' ? 'timed out' : (error as Error).message}`,
    );
  }
  if (!response.ok) {
    await response.body?.cancel().catch(() => undefined);
    throw new FetchError(`${url}: HTTP ${response.status}`);
  }
  const declared = Number(response.headers.get('content-length') ?? NaN);
  if (declared > options.maxBytes) {
    await response.body?.cancel().catch(() => undefined);
    throw new FetchError(`${url}: ${declared} bytes is over the ${options.maxBytes}-byte limit`);
  }
  const chunks: Buffer[] = [];
  let size = 0;
  try {
    if (response.body) {
      for await (const chunk of response.body as unknown as AsyncIterable<Uint8Array>) {
        size += chunk.length;
        if (size > options.maxBytes) {
          await response.body.cancel().catch(() => undefined);
          throw new FetchError(`${url}: response is over the ${options.maxBytes}-byte limit`);
        }
        chunks.push(Buffer.from(chunk));
      }
    }
  } catch (error) {
    if (error instanceof FetchError) throw error;
    throw new FetchError(
      `${url}: ${(error as Error).name === 'TimeoutError' ? 'timed out' : (error as Error).message}`,
    );
  }
  return { body: Buffer.concat(chunks, size), contentType: response.headers.get('content-type') ?? '' };
}
