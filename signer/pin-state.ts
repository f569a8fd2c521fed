// Wrong-PIN counters kept on disk, so three wrong PINs lock a card across restarts (DESIGN.md §4).
// Only counts are stored: never a PIN or anything derived from one.
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';

export const MAX_PIN_TRIES = 3;

type State = Record<string, { failures: number; updated: string }>;

export class PinCounterFile {
  constructor(private readonly file: string) {}

  private async read(): Promise<State> {
    try {
      const parsed = JSON.parse(await readFile(this.file, 'utf8')) as unknown;
      return parsed && typeof parsed === 'object' ? (parsed as State) : {};
    } catch {
      return {};
    }
  }

  private async write(state: State): Promise<void> {
    await mkdir(dirname(this.file), { recursive: true });
    const temp = `${this.file}.${process.pid}.tmp`;
    await writeFile(temp, JSON.stringify(state, null, 2) + '\n', { mode: 0o600 });
    await rename(temp, this.file);
  }

  async failures(key: string): Promise<number> {
    const entry = (await this.read())[key];
    return entry && Number.isInteger(entry.failures) ? Math.max(0, entry.failures) : 0;
  }

  /** Records one wrong PIN and returns the tries left (0: locked). */
  async recordFailure(key: string): Promise<number> {
    const state = await this.read();
    const failures = Math.min(MAX_PIN_TRIES, (state[key]?.failures ?? 0) + 1);
    state[key] = { failures, updated: new Date().toISOString() };
    await this.write(state);
    return MAX_PIN_TRIES - failures;
  }

  async reset(key: string): Promise<void> {
    const state = await this.read();
    if (!state[key] || state[key].failures === 0) return;
    delete state[key];
    await this.write(state);
  }
}
