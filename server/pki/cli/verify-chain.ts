// Command line for outside checks of the chain validator.
//   npm run --silent verify-chain < case.json          one chain: { leaf, intermediates, anchors, time, purpose, revocation }
//   npm run --silent verify-chain -- --limbo < limbo.json   the C2SP x509-limbo harness
// Reading the clock is allowed here (and only here): a missing time means "now", as the limbo format says.
import { verifyChain, verifyPath, MAX_INTERMEDIATES, type VerifyChainResult } from '../verify-chain.js';
import { nameToString } from '../names.js';
import { OID } from '../oids.js';

/** Upper bound on stdin; the public limbo suite is well under 10 MB. */
const MAX_INPUT_BYTES = 256 * 1024 * 1024;

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of process.stdin) {
    size += (chunk as Buffer).length;
    if (size > MAX_INPUT_BYTES) throw new Error('input too large');
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
}

interface ChainRequest {
  leaf?: unknown;
  intermediates?: unknown;
  anchors?: unknown;
  time?: unknown;
  purpose?: unknown;
  revocation?: unknown;
}

function strings(x: unknown, what: string): string[] {
  if (x === undefined || x === null) return [];
  if (!Array.isArray(x) || !x.every((s) => typeof s === 'string'))
    throw new Error(`${what} must be an array of PEM strings`);
  return x as string[];
}

function summary(r: VerifyChainResult) {
  if (r.ok) return { ok: true, reason: null, detail: null, path: r.path.map((c) => nameToString(c.subject)) };
  return { ok: false, reason: r.reason, detail: r.detail, path: [] as string[] };
}

async function single(): Promise<void> {
  let req: ChainRequest;
  try {
    req = JSON.parse(await readStdin()) as ChainRequest;
    if (typeof req !== 'object' || req === null) throw new Error('expected a JSON object');
  } catch (e) {
    process.stdout.write(
      JSON.stringify({ ok: false, reason: 'malformed', detail: `input: ${(e as Error).message}`, path: [] }) + '\n',
    );
    process.exitCode = 2;
    return;
  }
  let out;
  try {
    if (typeof req.leaf !== 'string') throw new Error('leaf must be a PEM string');
    const time = req.time === undefined || req.time === null ? new Date() : new Date(String(req.time));
    if (Number.isNaN(time.getTime())) throw new Error('time must be an ISO date');
    const purpose = req.purpose ?? 'any';
    if (purpose !== 'signing' && purpose !== 'any') throw new Error('purpose must be "signing" or "any"');
    const mode = req.revocation ?? 'off';
    let revocation;
    if (mode !== 'off') {
      // the revocation engine lives beside this one; loaded only when asked so this CLI works without network access
      const { createRevocationChecker } = await import('../revocation/index.js');
      revocation = createRevocationChecker({ mode: mode as 'ocsp' | 'crl' | 'ocsp-then-crl' });
    }
    const result = await verifyChain({
      leaf: req.leaf,
      intermediates: strings(req.intermediates, 'intermediates'),
      anchors: strings(req.anchors, 'anchors'),
      time,
      purpose,
      revocation,
    });
    out = summary(result);
  } catch (e) {
    out = { ok: false, reason: 'malformed', detail: `input: ${(e as Error).message}`, path: [] };
  }
  process.stdout.write(JSON.stringify(out) + '\n');
  if (!out.ok) process.exitCode = 1;
}

// ---- x509-limbo harness ----

interface LimboCase {
  id: string;
  validation_kind?: string;
  trusted_certs: string[];
  untrusted_intermediates: string[];
  peer_certificate: string;
  validation_time: string | null;
  key_usage: string[] | null;
  extended_key_usage: string[] | null;
  signature_algorithms?: string[] | null;
  max_chain_depth: number | null;
  expected_peer_name?: { kind: string; value: string } | null;
}

const EKU_NAMES: Record<string, string> = {
  anyExtendedKeyUsage: OID.anyExtendedKeyUsage,
  serverAuth: OID.serverAuth,
  clientAuth: OID.clientAuth,
  codeSigning: OID.codeSigning,
  emailProtection: OID.emailProtection,
  timeStamping: OID.timeStamping,
  OCSPSigning: OID.ocspSigning,
};

type LimboResult = { id: string; actual_result: 'SUCCESS' | 'FAILURE' | 'SKIPPED'; context: string };

/** One limbo case. Exported for the report script and tests. */
export function runLimboCase(tc: LimboCase, now: Date = new Date()): LimboResult {
  const peer = tc.expected_peer_name ? `${tc.expected_peer_name.kind}:${tc.expected_peer_name.value}` : 'none';
  const note = `chain only; peer name (${peer}) not matched: this engine validates certificate chains, not host names`;
  if (tc.signature_algorithms && tc.signature_algorithms.length > 0) {
    return {
      id: tc.id,
      actual_result: 'SKIPPED',
      context: 'a caller-chosen signature algorithm list is not supported; the engine has a fixed allow-list',
    };
  }
  const ku = tc.key_usage ?? [];
  const unsupportedKu = ku.filter((k) => k !== 'digitalSignature');
  if (unsupportedKu.length > 0)
    return {
      id: tc.id,
      actual_result: 'SKIPPED',
      context: `required key usage ${unsupportedKu.join(',')} is not supported (only digitalSignature)`,
    };
  const eku: string[] = [];
  for (const name of tc.extended_key_usage ?? []) {
    const oid = EKU_NAMES[name];
    if (!oid)
      return { id: tc.id, actual_result: 'SKIPPED', context: `extended key usage ${name} is unknown to the harness` };
    eku.push(oid);
  }
  const time = tc.validation_time ? new Date(tc.validation_time) : now;
  const result = verifyPath({
    leaf: tc.peer_certificate,
    intermediates: tc.untrusted_intermediates,
    anchors: tc.trusted_certs,
    time,
    purpose: ku.includes('digitalSignature') ? 'signing' : 'any',
    extendedKeyUsage: eku,
    maxIntermediates: tc.max_chain_depth ?? MAX_INTERMEDIATES,
  });
  if (result.ok) return { id: tc.id, actual_result: 'SUCCESS', context: `path of ${result.path.length}; ${note}` };
  return { id: tc.id, actual_result: 'FAILURE', context: `${result.reason}: ${result.detail}; ${note}` };
}

export function runLimbo(limbo: { testcases: LimboCase[] }, now: Date = new Date()) {
  return { version: 1, harness: 'sw-portal', results: limbo.testcases.map((tc) => runLimboCase(tc, now)) };
}

async function limbo(): Promise<void> {
  const text = await readStdin();
  const parsed = JSON.parse(text) as { version?: number; testcases?: LimboCase[] };
  if (!Array.isArray(parsed.testcases)) throw new Error('not a limbo file: no testcases');
  process.stdout.write(JSON.stringify(runLimbo({ testcases: parsed.testcases })) + '\n');
}

const isMain = process.argv[1] && import.meta.url === new URL(`file://${process.argv[1]}`).href;
if (isMain) {
  const run = process.argv.includes('--limbo') ? limbo : single;
  run().catch((e: unknown) => {
    process.stderr.write(`verify-chain: ${(e as Error).message}\n`);
    process.exitCode = 2;
  });
}
