// What the portal imports from the signer: one definition of the challenge text, and the signer itself
// (started beside the portal in demo mode).
export {
  CHALLENGE_HEADER,
  formatChallengeText,
  isChallengeText,
  parseChallengeText,
  type ChallengeText,
} from './challenge-text.js';
export { defaultAllowedOrigins, startSigner, type RunningSigner, type StartSignerOptions } from './server.js';
export { readDemoManifest, demoSoftCards } from './demo-cards.js';
export type { SignerErrorCode } from './errors.js';
export { SIGNER_VERSION, DEFAULT_PORT } from './version.js';
