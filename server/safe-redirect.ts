// The one rule for every place that sends a browser, or a link, to a location the client had a say in (?next=, the
// page a login returns to). Browsers are lenient with Location: they drop tabs and newlines, read '\' as '/', and take
// '//host' or '/\host' as another site; Node refuses a header with non-ASCII or CR/LF (a 500). So only a plain path of
// printable ASCII is accepted, and anything else gives way to the caller's fallback.

/** Longer than any page of the portal with its query string; a bound, so a stored `next` stays small. */
export const LOCAL_PATH_MAX = 2048;

// One leading '/', not followed by another '/'; then printable ASCII 0x21-0x7E without '\' (0x5C) anywhere.
const LOCAL_PATH = /^\/(?!\/)[\x21-\x5b\x5d-\x7e]*$/;

/** Whether a value is a path on this site that is safe to put in a Location header or an href. */
export function isSafeLocalPath(raw: unknown): raw is string {
  return typeof raw === 'string' && raw.length <= LOCAL_PATH_MAX && LOCAL_PATH.test(raw);
}

/** The value when it is a safe local path, otherwise the fallback (a constant of the caller's). */
export function safeLocalPath(raw: unknown, fallback: string): string {
  return isSafeLocalPath(raw) ? raw : fallback;
}
