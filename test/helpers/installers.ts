// The certificate component's packages, built once per machine into the temporary folder by the real
// `build:installers` code (about 2 minutes the first time: Node.js binaries from the npm registry, wixl, MinGW-w64),
// then reused while nothing they are made of changes. Parallel test files wait for one build.
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildInstallers } from '../../signer/installers/build.js';

export const INSTALLERS_TEST_ORIGIN = 'http://localhost:3000';

export function builtInstallers() {
  return buildInstallers({
    outDir: join(tmpdir(), 'sw-portal-installers-test'),
    cacheDir: join(tmpdir(), 'sw-portal-installers-cache'),
    origins: [INSTALLERS_TEST_ORIGIN],
  });
}
