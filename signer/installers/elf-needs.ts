// The oldest glibc and libstdc++ an ELF binary runs with, read from the symbol versions it names (GLIBC_2.34,
// GLIBCXX_3.4.21 …), for the .deb's Depends line.
const GLIBCXX_TO_GCC: Record<number, string> = {
  19: '4.9',
  20: '5',
  21: '5',
  22: '6',
  23: '7',
  24: '7',
  25: '8',
  26: '9',
  27: '10',
  28: '10',
  29: '11',
  30: '12',
  31: '13',
  32: '13',
  33: '14',
};

function highest(versions: string[]): string | undefined {
  return versions.sort((a, b) => a.localeCompare(b, 'en', { numeric: true })).pop();
}

export function elfNeeds(binaries: Buffer[]): { glibc?: string; libstdcxx?: string } {
  const glibc: string[] = [];
  const cxx: number[] = [];
  for (const binary of binaries) {
    const text = binary.toString('latin1');
    for (const m of text.matchAll(/GLIBC_(2\.\d+(?:\.\d+)?)\0/g)) glibc.push(m[1]);
    for (const m of text.matchAll(/GLIBCXX_3\.4\.(\d+)\0/g)) cxx.push(Number(m[1]));
  }
  const maxCxx = cxx.length ? Math.max(...cxx) : undefined;
  return {
    glibc: highest(glibc),
    libstdcxx: maxCxx === undefined ? undefined : (GLIBCXX_TO_GCC[maxCxx] ?? '14'),
  };
}
