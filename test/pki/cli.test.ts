// The verify-chain command line: JSON in, JSON out, in single-chain and limbo-harness modes.
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import t from 'tap';
import { AFTER, NOW, moicaChain } from './fixtures/forge-certs.js';

const root = fileURLToPath(new URL('../../', import.meta.url));
const { root: anchor, ca, card, encryption } = moicaChain();

function run(input: string, args: string[] = []) {
  const r = spawnSync(process.execPath, ['--import=tsx', 'server/pki/cli/verify-chain.ts', ...args], {
    cwd: root,
    input,
    encoding: 'utf8',
  });
  return { status: r.status, out: r.stdout ? JSON.parse(r.stdout) : null, err: r.stderr };
}

t.test('a valid chain prints ok with the subjects of the path', async (t) => {
  const { status, out } = run(
    JSON.stringify({
      leaf: card.pem,
      intermediates: [ca.pem],
      anchors: [anchor.pem],
      time: NOW.toISOString(),
      purpose: 'signing',
      revocation: 'off',
    }),
  );
  t.equal(status, 0);
  t.same(out, {
    ok: true,
    reason: null,
    detail: null,
    path: ['C=TW, CN=王小明, serialNumber=0000000012345678', 'C=TW, O=行政院, OU=內政部憑證管理中心', 'CN=Test GRCA'],
  });
});

t.test('a refused chain prints its reason and exits 1', async (t) => {
  const { status, out } = run(
    JSON.stringify({
      leaf: encryption.pem,
      intermediates: [ca.pem],
      anchors: [anchor.pem],
      time: NOW.toISOString(),
      purpose: 'signing',
    }),
  );
  t.equal(status, 1);
  t.equal(out.ok, false);
  t.equal(out.reason, 'leaf_key_usage');
  const expired = run(
    JSON.stringify({
      leaf: card.pem,
      intermediates: [ca.pem],
      anchors: [anchor.pem],
      time: new Date(AFTER.getTime() + 1).toISOString(),
      purpose: 'any',
    }),
  );
  t.equal(expired.out.reason, 'expired');
});

t.test('input that is not JSON is reported as malformed', async (t) => {
  const { status, out } = run('{nope');
  t.equal(status, 2);
  t.equal(out.reason, 'malformed');
});

t.test('--limbo answers each case with SUCCESS or FAILURE and says the peer name was not matched', async (t) => {
  const limbo = {
    version: 1,
    testcases: [
      {
        id: 'local::good',
        trusted_certs: [anchor.pem],
        untrusted_intermediates: [ca.pem],
        peer_certificate: card.pem,
        validation_time: NOW.toISOString(),
        key_usage: ['digitalSignature'],
        extended_key_usage: null,
        max_chain_depth: null,
        expected_result: 'SUCCESS',
        expected_peer_name: { kind: 'DNS', value: 'example.com' },
      },
      {
        id: 'local::encryption',
        trusted_certs: [anchor.pem],
        untrusted_intermediates: [ca.pem],
        peer_certificate: encryption.pem,
        validation_time: NOW.toISOString(),
        key_usage: ['digitalSignature'],
        extended_key_usage: null,
        max_chain_depth: null,
        expected_result: 'FAILURE',
      },
      {
        id: 'local::unknown-ku',
        trusted_certs: [anchor.pem],
        untrusted_intermediates: [],
        peer_certificate: card.pem,
        validation_time: null,
        key_usage: ['keyAgreement'],
        extended_key_usage: null,
        max_chain_depth: null,
        expected_result: 'FAILURE',
      },
    ],
  };
  const { status, out } = run(JSON.stringify(limbo), ['--limbo']);
  t.equal(status, 0);
  t.equal(out.version, 1);
  t.equal(out.harness, 'sw-portal');
  t.same(
    out.results.map((r: { actual_result: string }) => r.actual_result),
    ['SUCCESS', 'FAILURE', 'SKIPPED'],
  );
  t.match(out.results[0].context, /peer name \(DNS:example\.com\) not matched/);
  t.match(out.results[1].context, /^leaf_key_usage/);
});
