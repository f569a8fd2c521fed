// The packages of `npm run build:installers`, checked with the platforms' own formats' tools where Debian has them:
// the .deb installed by dpkg (into a test root) and its program run; the .msi's tables and files read by msitools;
// the .pkg's xar, Bom, PackageInfo and cpio Payload read here and by GNU cpio. Then 軟體下載 serves them.
import t, { type Test } from 'tap';
import { createHash } from 'node:crypto';
import { spawn, spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, readdirSync, writeFileSync, existsSync, readlinkSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync, inflateSync } from 'node:zlib';
import { machoLoadCommands } from '../../signer/installers/macho.js';
import { buildTestApp } from '../helpers/app.js';
import { builtInstallers, INSTALLERS_TEST_ORIGIN } from '../helpers/installers.js';
import { syncDownloadsCatalogue } from '../../server/downloads/catalogue.js';
import { tempDir } from './fixtures.js';
import { createSoftHsm, findSoftHsm } from './softhsm.js';

const built = await builtInstallers();
const pkgOf = (platform: string) => built.packages.find((p) => p.platform === platform);
const fileOf = (platform: string) => join(built.dir, pkgOf(platform)!.fileName);
const sha256 = (b: Buffer) => createHash('sha256').update(b).digest('hex');

function tool(command: string, args: string[], options: { cwd?: string; input?: Buffer } = {}): Buffer {
  const result = spawnSync(command, args, { cwd: options.cwd, input: options.input, maxBuffer: 512 * 1024 * 1024 });
  if (result.error) throw result.error;
  if (result.status !== 0) throw new Error(`${command} ${args.join(' ')}: ${result.stderr}`);
  return result.stdout;
}

t.test('the build makes all three packages, each with its size and SHA-256 in the manifest', async (t) => {
  t.same(built.skipped, [], 'nothing skipped');
  t.same(built.packages.map((p) => p.platform).sort(), ['linux', 'macos', 'windows']);
  for (const p of built.packages) {
    const bytes = readFileSync(join(built.dir, p.fileName));
    t.equal(bytes.length, p.size, `${p.fileName} size`);
    t.equal(sha256(bytes), p.sha256, `${p.fileName} SHA-256`);
  }
  t.same(
    built.packages.map((p) => [p.platform, p.cardReaders]).sort(),
    [
      ['linux', true],
      ['macos', false],
      ['windows', true],
    ],
    'card readers on Windows and Linux; no pkcs11js add-on for macOS',
  );
});

t.test('a second build with the same inputs reuses the packages', async (t) => {
  const again = await builtInstallers();
  t.equal(again.built, false);
  t.equal(again.key, built.key);
});

t.test('the .deb installs with dpkg, enables the user service, and its program answers on loopback', async (t) => {
  const deb = fileOf('linux');
  const fields = tool('dpkg-deb', ['-f', deb, 'Package', 'Version', 'Architecture', 'Depends']).toString();
  t.match(fields, /^Package: sw-signer$/m);
  t.match(fields, /^Version: 1\.2\.0$/m);
  t.match(fields, /^Architecture: amd64$/m);
  t.match(fields, /^Depends: libc6 \(>= 2\.\d+\), libstdc\+\+6/m);

  const root = tempDir('sw-deb-root-');
  mkdirSync(join(root, 'var/lib/dpkg/info'), { recursive: true });
  mkdirSync(join(root, 'var/lib/dpkg/updates'), { recursive: true });
  writeFileSync(join(root, 'var/lib/dpkg/status'), '');
  // A root of its own: libc6 and libstdc++6 are the machine's, not in that root's package database.
  tool('dpkg', ['--root', root, '--force-depends', '--force-script-chrootless', '-i', deb]);
  t.match(tool('dpkg', ['--root', root, '-s', 'sw-signer']).toString(), /^Status: install ok installed$/m);
  t.equal(readlinkSync(join(root, 'usr/bin/sw-signer')), '../lib/sw-signer/sw-signer');
  t.ok(existsSync(join(root, 'usr/lib/sw-signer/pkcs11.node')), 'pkcs11js add-on beside the program');
  const unit = readFileSync(join(root, 'usr/lib/systemd/user/sw-signer.service'), 'utf8');
  t.match(unit, new RegExp(`^ExecStart=/usr/bin/sw-signer --allow-origin ${INSTALLERS_TEST_ORIGIN}$`, 'm'));
  t.equal(
    readlinkSync(join(root, 'etc/systemd/user/default.target.wants/sw-signer.service')),
    '/usr/lib/systemd/user/sw-signer.service',
    'postinst enabled the service for every user',
  );

  const program = join(root, 'usr/bin/sw-signer');
  t.equal(tool(program, ['--version'], { cwd: root }).toString(), '1.2.0\n', 'runs without a Node.js install');

  // A SoftHSM2 token: the program must load pkcs11.node from its own folder to list it.
  const found = findSoftHsm();
  if ('missing' in found) throw new Error(found.missing);
  const hsm = createSoftHsm(found.module);
  hsm.initToken('deb-test-token', '123456');
  const port = 40000 + Math.floor(Math.random() * 20000);
  const child = spawn(
    program,
    ['--port', String(port), '--pkcs11', found.module, '--state-dir', tempDir('sw-deb-state-')],
    {
      cwd: root,
      env: { ...process.env, SOFTHSM2_CONF: process.env.SOFTHSM2_CONF },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  t.teardown(() => child.kill());
  let output = '';
  await new Promise<void>((resolve, reject) => {
    child.stdout.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      if (output.includes('Cards')) resolve();
    });
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.once('exit', (code) => reject(new Error(`sw-signer exited ${code}: ${output}`)));
  });
  t.match(output, `http://127.0.0.1:${port}`);
  t.notMatch(output, /Warning/, 'no single-executable warning');
  const badge = await fetch(`http://127.0.0.1:${port}/ready.svg`);
  t.equal(badge.status, 200);
  t.equal(badge.headers.get('content-type'), 'image/svg+xml; charset=utf-8');
  t.match(await badge.text(), /憑證元件已啟動（1\.2\.0）/);
  const info = (await (await fetch(`http://127.0.0.1:${port}/pkcs11info`)).json()) as {
    module: string;
    slots: Array<{ token: { label: string } }>;
  };
  t.ok(
    info.slots.some((s) => s.token.label.trim() === 'deb-test-token'),
    'the card reader token is listed through the bundled pkcs11js add-on',
  );

  tool('dpkg', ['--root', root, '--force-script-chrootless', '-r', 'sw-signer']);
  t.notOk(existsSync(join(root, 'etc/systemd/user/default.target.wants/sw-signer.service')), 'removal disables it');
});

t.test('the .msi has the program, the add-on and the startup shortcut, as msitools read it', async (t) => {
  const msi = fileOf('windows');
  const tables = tool('msiinfo', ['tables', msi]).toString().split('\n');
  for (const table of ['File', 'Component', 'Directory', 'Shortcut', 'Property', 'CustomAction', 'Upgrade']) {
    t.ok(tables.includes(table), `${table} table`);
  }
  const property = tool('msiinfo', ['export', msi, 'Property']).toString();
  t.match(property, /^ProductVersion\t1\.2\.0\r?$/m);
  t.match(property, /^UpgradeCode\t\{6D3A0E52-7C1B-4B8E-9F0A-5A1C2E4B7D10\}\r?$/m);
  const files = tool('msiinfo', ['export', msi, 'File']).toString();
  for (const name of ['sw-signer.exe', 'pkcs11.node', 'NOTICE.txt']) t.match(files, name);
  const directory = tool('msiinfo', ['export', msi, 'Directory']).toString();
  t.match(directory, /^INSTALLDIR\tProgramFiles64Folder\tsw-signer\r?$/m);
  const shortcut = tool('msiinfo', ['export', msi, 'Shortcut']).toString();
  t.match(shortcut, /StartupSigner\tStartupFolder\t/, 'starts at every login');
  t.match(shortcut, new RegExp(`--allow-origin ${INSTALLERS_TEST_ORIGIN}`));

  const out = tempDir('sw-msi-');
  tool('msiextract', ['-C', out, msi]);
  const installed = join(out, 'sw-signer');
  const exe = readFileSync(join(installed, 'sw-signer.exe'));
  t.equal(exe.subarray(0, 2).toString('latin1'), 'MZ', 'a PE program');
  t.ok(exe.includes('NODE_SEA_FUSE_fce680ab2cc467b6e072b8b5df1996b2:1'), 'the single-executable fuse is set');
  const addon = readFileSync(join(installed, 'pkcs11.node'));
  t.equal(addon.subarray(0, 2).toString('latin1'), 'MZ', 'the add-on is a Windows DLL');
  t.ok(addon.includes('napi_register_module_v1'), 'a Node-API module');
  t.ok(addon.includes('sw-signer.exe'), 'whose Node-API functions come from the program');
  t.match(readFileSync(join(installed, 'NOTICE.txt'), 'utf8'), /Node\.js 20\.20\.2/);
});

/** A reader of xar written for the test (header, zlib TOC, heap), independent of signer/installers/xar.ts. */
function readXar(t: Test, archive: Buffer): Map<string, Buffer> {
  t.equal(archive.subarray(0, 4).toString('latin1'), 'xar!');
  const headerSize = archive.readUInt16BE(4);
  const tocLength = Number(archive.readBigUInt64BE(8));
  const toc = inflateSync(archive.subarray(headerSize, headerSize + tocLength)).toString('utf8');
  t.equal(toc.length > 0 && Buffer.byteLength(toc), Number(archive.readBigUInt64BE(16)), 'TOC length');
  const heap = headerSize + tocLength;
  t.equal(
    archive.subarray(heap, heap + 20).toString('hex'),
    createHash('sha1')
      .update(archive.subarray(headerSize, headerSize + tocLength))
      .digest('hex'),
    'TOC checksum at the start of the heap',
  );
  const files = new Map<string, Buffer>();
  const walk = (xml: string, prefix: string) => {
    const re = /<file id="\d+">\s*<name>([^<]+)<\/name>\s*<type>(file|directory)<\/type>/g;
    let depth = 0;
    let start = -1;
    const tags = /<file id="\d+">|<\/file>/g;
    for (let m = tags.exec(xml); m; m = tags.exec(xml)) {
      if (m[0] !== '</file>') {
        if (depth === 0) start = m.index;
        depth++;
      } else if (--depth === 0) {
        const element = xml.slice(start, m.index + m[0].length);
        re.lastIndex = 0;
        const head = re.exec(element)!;
        const path = prefix + head[1];
        if (head[2] === 'directory') walk(element.slice(head[0].length, -'</file>'.length), `${path}/`);
        else {
          const offset = Number(/<offset>(\d+)<\/offset>/.exec(element)![1]);
          const length = Number(/<length>(\d+)<\/length>/.exec(element)![1]);
          const data = archive.subarray(heap + offset, heap + offset + length);
          t.equal(
            createHash('sha1').update(data).digest('hex'),
            /<archived-checksum style="sha1">([0-9a-f]+)</.exec(element)![1],
            `${path} checksum`,
          );
          files.set(path, data);
        }
      }
    }
  };
  walk(/<toc>([\s\S]*)<\/toc>/.exec(toc)![1], '');
  return files;
}

/** The paths of a Bom, read for the test: header, variables, block table, the Paths tree's one leaf. */
function readBomPaths(t: Test, bom: Buffer): Array<{ path: string; mode: number; size: number; checksum: number }> {
  t.equal(bom.subarray(0, 8).toString('latin1'), 'BOMStore');
  const indexOffset = bom.readUInt32BE(16);
  const block = (i: number) => {
    const at = indexOffset + 4 + i * 8;
    const address = bom.readUInt32BE(at);
    return bom.subarray(address, address + bom.readUInt32BE(at + 4));
  };
  const varsOffset = bom.readUInt32BE(24);
  const vars = new Map<string, number>();
  let at = varsOffset + 4;
  for (let i = 0; i < bom.readUInt32BE(varsOffset); i++) {
    const index = bom.readUInt32BE(at);
    const length = bom[at + 4];
    vars.set(bom.subarray(at + 5, at + 5 + length).toString('latin1'), index);
    at += 5 + length;
  }
  t.same([...vars.keys()], ['BomInfo', 'Paths', 'HLIndex', 'VIndex', 'Size64']);
  const tree = block(vars.get('Paths')!);
  t.equal(tree.subarray(0, 4).toString('latin1'), 'tree');
  const leaf = block(tree.readUInt32BE(8));
  t.equal(leaf.readUInt16BE(0), 1, 'one leaf');
  const names = new Map<number, { name: string; parent: number }>();
  const rows: Array<{ id: number; mode: number; size: number; checksum: number }> = [];
  for (let i = 0; i < leaf.readUInt16BE(2); i++) {
    const info1 = block(leaf.readUInt32BE(12 + i * 8));
    const file = block(leaf.readUInt32BE(16 + i * 8));
    const id = info1.readUInt32BE(0);
    const info2 = block(info1.readUInt32BE(4));
    names.set(id, { parent: file.readUInt32BE(0), name: file.subarray(4, file.indexOf(0, 4)).toString('utf8') });
    rows.push({ id, mode: info2.readUInt16BE(4), size: info2.readUInt32BE(18), checksum: info2.readUInt32BE(23) });
  }
  const pathOf = (id: number): string => {
    const n = names.get(id)!;
    return n.parent === 0 ? n.name : `${pathOf(n.parent)}/${n.name}`;
  };
  return rows.map((r) => ({ path: pathOf(r.id), mode: r.mode, size: r.size, checksum: r.checksum }));
}

t.test('the .pkg is a flat package: Distribution, PackageInfo, Bom, Payload and Scripts', async (t) => {
  const files = readXar(t, readFileSync(fileOf('macos')));
  t.same([...files.keys()].sort(), [
    'Distribution',
    'sw-signer.pkg/Bom',
    'sw-signer.pkg/PackageInfo',
    'sw-signer.pkg/Payload',
    'sw-signer.pkg/Scripts',
  ]);
  t.match(
    files.get('Distribution')!.toString(),
    /<pkg-ref id="tw\.gov\.customs\.sw-signer"[^>]*>#sw-signer\.pkg<\/pkg-ref>/,
  );
  t.match(files.get('Distribution')!.toString(), /hostArchitectures="x86_64"/);
  const info = files.get('sw-signer.pkg/PackageInfo')!.toString();
  t.match(info, /identifier="tw\.gov\.customs\.sw-signer"/);
  t.match(info, /install-location="\/"/);
  t.match(info, /<postinstall file="\.\/postinstall"\/>/);

  // GNU cpio reads the Payload (gzip, odc).
  const work = tempDir('sw-pkg-');
  const payload = gunzipSync(files.get('sw-signer.pkg/Payload')!);
  const listed = tool('cpio', ['-it', '--quiet'], { input: payload }).toString().trim().split('\n');
  const expected = [
    '.',
    './Library',
    './Library/Application Support',
    './Library/Application Support/sw-signer',
    './Library/Application Support/sw-signer/sw-signer',
    './Library/Application Support/sw-signer/NOTICE.txt',
    './Library/LaunchAgents',
    './Library/LaunchAgents/tw.gov.customs.sw-signer.plist',
  ];
  t.same(listed, expected);
  tool('cpio', ['-idm', '--quiet', '--no-absolute-filenames'], { cwd: work, input: payload });
  const programFile = join(work, 'Library/Application Support/sw-signer/sw-signer');
  const program = readFileSync(programFile);
  t.equal(program.readUInt32LE(0), 0xfeedfacf, 'a 64-bit Mach-O program');
  t.equal(program.readUInt32LE(4), 0x01000007, 'for x86_64');
  const commands = machoLoadCommands(program);
  t.notOk(
    commands.some((c) => c.cmd === 0x1d),
    "Node's signature removed (it would not match the changed program)",
  );
  t.ok(
    commands.some((c) => c.segname === 'NODE_SEA'),
    'the single-executable blob is in its NODE_SEA segment',
  );
  t.ok(program.includes('NODE_SEA_FUSE_fce680ab2cc467b6e072b8b5df1996b2:1'), 'the fuse is set');
  const agent = readFileSync(join(work, 'Library/LaunchAgents/tw.gov.customs.sw-signer.plist'), 'utf8');
  t.match(agent, /<key>RunAtLoad<\/key>\s*<true\/>/);
  t.match(agent, new RegExp(`<string>--allow-origin</string>\\s*<string>${INSTALLERS_TEST_ORIGIN}</string>`));

  const bom = readBomPaths(t, files.get('sw-signer.pkg/Bom')!);
  t.same(bom.map((b) => b.path).sort(), expected.sort(), 'the Bom names every path of the Payload');
  const programRow = bom.find((b) => b.path.endsWith('sw-signer/sw-signer'))!;
  t.equal(programRow.mode, 0o100755);
  t.equal(programRow.size, program.length);
  const cksum = tool('cksum', [programFile]).toString().split(' ');
  t.equal(programRow.checksum, Number(cksum[0]), 'the Bom checksum is POSIX cksum');

  const scripts = gunzipSync(files.get('sw-signer.pkg/Scripts')!);
  t.same(tool('cpio', ['-it', '--quiet'], { input: scripts }).toString().trim().split('\n'), ['.', './postinstall']);
});

t.test('軟體下載 lists the three packages and serves each with the size and SHA-256 its page shows', async (t) => {
  const ctx = await buildTestApp();
  t.teardown(ctx.close);
  t.same(await syncDownloadsCatalogue(ctx.db.pool, { installersDir: built.dir }), [
    'signer-windows',
    'signer-macos',
    'signer-linux',
    'registration-manual',
  ]);
  for (const p of built.packages) {
    const slug = `signer-${p.platform}`;
    const page = await ctx.app.inject({ url: `/downloads/${slug}` });
    t.equal(page.statusCode, 200, slug);
    const file = await ctx.app.inject({ url: `/downloads/${slug}/file` });
    t.equal(file.statusCode, 200);
    t.equal(file.rawPayload.length, p.size, `${slug}: served bytes`);
    const served = sha256(file.rawPayload);
    t.equal(served, p.sha256);
    t.ok(
      page.body.includes(`<code class="mono">${served}</code>`),
      `${slug}: the page shows the served file's SHA-256`,
    );
    t.ok(page.body.includes(`${file.rawPayload.length} 位元組`), `${slug}: and its exact size`);
  }
  t.ok(readdirSync(built.dir).includes('manifest.json'));
});
