// A demo PKI for a browser test, with its CRLs and CA certificates served where its certificates say (a CA's
// repository: a small HTTP server on 127.0.0.1), so the portal checks revocation as it does in production.
import { createServer, type Server } from 'node:http';
import { readFileSync } from 'node:fs';
import { createDemoPki, demoPkiDir, type DemoCardSpec, type DemoPki } from '../../../demo-pki/demo-pki';
import { freePort } from './browser';

export interface DemoRepository {
  pki: DemoPki;
  close(): Promise<void>;
}

/** Makes the demo PKI in DATA_DIR's demo-pki folder (where demo mode looks) and serves its repository. */
export async function startDemoRepository(dataDir: string, cards?: readonly DemoCardSpec[]): Promise<DemoRepository> {
  const port = await freePort('127.0.0.1');
  const pki = await createDemoPki(demoPkiDir(dataDir), { keyBits: 2048, baseUrl: `http://127.0.0.1:${port}`, cards });
  const server: Server = createServer((request, response) => {
    const file = /^\/demo-pki\/((?:root|g2|g3|moeaca|gca|customs)\.(?:crl|crt))$/.exec(request.url ?? '')?.[1];
    if (!file) {
      response.writeHead(404).end();
      return;
    }
    const body = file.endsWith('.crl')
      ? readFileSync(pki.path(file))
      : (pki.intermediates.find((i) => file === `${i.id}.crt`)?.certDer ?? pki.rootDer);
    response
      .writeHead(200, { 'content-type': file.endsWith('.crl') ? 'application/pkix-crl' : 'application/pkix-cert' })
      .end(body);
  });
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  return { pki, close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}
