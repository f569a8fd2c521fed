// The argon2 bound: password hashes per second with the portal's own parameters, as many in flight as libuv's thread
// pool runs at once (the portal's argon2 calls share that pool), in a process of its own. Prints one JSON line.
import argon2 from 'argon2';
import { PASSWORD_HASH_OPTIONS } from '../../../server/auth/passwords';

const seconds = Number(process.argv[2] ?? 5);
const inFlight = Number(process.env.UV_THREADPOOL_SIZE || 4);

async function worker(until: number, counter: { n: number }): Promise<void> {
  while (performance.now() < until) {
    await argon2.hash('Harbour2Light', PASSWORD_HASH_OPTIONS);
    counter.n += 1;
  }
}

// warm-up: the first hashes allocate the memory blocks
await Promise.all(Array.from({ length: inFlight }, () => worker(performance.now() + 500, { n: 0 })));
const counter = { n: 0 };
const start = performance.now();
const cpu0 = process.cpuUsage();
await Promise.all(Array.from({ length: inFlight }, () => worker(start + seconds * 1000, counter)));
const wall = (performance.now() - start) / 1000;
const cpu = process.cpuUsage(cpu0);
process.stdout.write(
  JSON.stringify({
    hashesPerSecond: counter.n / wall,
    hashes: counter.n,
    seconds: wall,
    inFlight,
    cpuSeconds: (cpu.user + cpu.system) / 1e6,
    msPerHashOneCore: (cpu.user + cpu.system) / 1e3 / counter.n,
  }) + '\n',
);
