// A kiosk logs an idle user out without JavaScript: each page's meta refresh leads to a warning page first, where
// one click keeps the session (WCAG 2.2.1: warned, and at least 20 seconds to extend), then to the logout.

export const KIOSK_WARNING_SECONDS = 20;

export interface KioskWarningPlan {
  /** seconds after a page loads before the browser shows the warning; 0 when the idle limit is too short for one */
  warnAfter: number;
  /** seconds the warning stays before the logout */
  warnFor: number;
}

export function kioskWarningPlan(idleSeconds: number): KioskWarningPlan {
  // Too short a limit leaves no room for a warning that lasts 20 seconds: then the page goes straight to the logout.
  if (idleSeconds < 2 * KIOSK_WARNING_SECONDS) return { warnAfter: 0, warnFor: 0 };
  return { warnAfter: idleSeconds - KIOSK_WARNING_SECONDS, warnFor: KIOSK_WARNING_SECONDS };
}
