// The portal's emblem, drawn once here and written twice: public/img/emblem.svg (header and SVG favicon) and
// public/favicon.ico (browsers that ask for /favicon.ico or cannot show an SVG icon). One geometry for both, so the
// two never drift apart. Run `npx tsx scripts/emblem.ts` after changing a shape; both files are committed.
//
// The mark: a window of four panes (the single window) on a deep-blue disc, over a gold wave (the port and the sea
// routes of trade). An original drawing, not any agency's emblem.
import { writeFileSync } from 'node:fs';

const SIZE = 64;
const BLUE = [0x0b, 0x3d, 0x6b] as const;
const WHITE = [0xff, 0xff, 0xff] as const;
const GOLD = [0xf2, 0xc1, 0x4e] as const;

// Geometry in a 64×64 box.
const DISC = { cx: 32, cy: 32, r: 31 };
const FRAME = { x: 17, y: 13, w: 30, h: 28, stroke: 4 };
const MULLION = 3;
const WAVE = { x0: 12, x1: 52, y: 50, amplitude: 2.5, period: 20, stroke: 4 };

function waveY(x: number): number {
  return WAVE.y + WAVE.amplitude * Math.sin(((x - WAVE.x0) / WAVE.period) * 2 * Math.PI);
}

/** The colour at a point of the 64×64 box, or undefined where the icon is transparent. */
function colourAt(x: number, y: number): readonly number[] | undefined {
  if ((x - DISC.cx) ** 2 + (y - DISC.cy) ** 2 > DISC.r ** 2) return undefined;
  // The wave is a thick line: distance to the curve approximated by the vertical distance (the slope is gentle).
  if (x >= WAVE.x0 - WAVE.stroke / 2 && x <= WAVE.x1 + WAVE.stroke / 2) {
    const cx = Math.min(Math.max(x, WAVE.x0), WAVE.x1);
    if (Math.hypot(x - cx, y - waveY(cx)) <= WAVE.stroke / 2) return GOLD;
  }
  const half = FRAME.stroke / 2;
  const inOuter =
    x >= FRAME.x - half && x <= FRAME.x + FRAME.w + half && y >= FRAME.y - half && y <= FRAME.y + FRAME.h + half;
  const inInner =
    x > FRAME.x + half && x < FRAME.x + FRAME.w - half && y > FRAME.y + half && y < FRAME.y + FRAME.h - half;
  if (inOuter && !inInner) return WHITE;
  if (inInner) {
    const midX = FRAME.x + FRAME.w / 2;
    const midY = FRAME.y + FRAME.h / 2;
    if (Math.abs(x - midX) <= MULLION / 2 || Math.abs(y - midY) <= MULLION / 2) return WHITE;
  }
  return BLUE;
}

function hex(rgb: readonly number[]): string {
  return `#${rgb.map((c) => c.toString(16).padStart(2, '0')).join('')}`;
}

export function emblemSvg(): string {
  const points: string[] = [];
  for (let x = WAVE.x0; x <= WAVE.x1; x += 1) points.push(`${x},${waveY(x).toFixed(2)}`);
  const midX = FRAME.x + FRAME.w / 2;
  const midY = FRAME.y + FRAME.h / 2;
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${SIZE} ${SIZE}" width="${SIZE}" height="${SIZE}">`,
    `<circle cx="${DISC.cx}" cy="${DISC.cy}" r="${DISC.r}" fill="${hex(BLUE)}"/>`,
    `<rect x="${FRAME.x}" y="${FRAME.y}" width="${FRAME.w}" height="${FRAME.h}" fill="none" stroke="${hex(WHITE)}" stroke-width="${FRAME.stroke}"/>`,
    `<path d="M${midX} ${FRAME.y}V${FRAME.y + FRAME.h}M${FRAME.x} ${midY}H${FRAME.x + FRAME.w}" stroke="${hex(WHITE)}" stroke-width="${MULLION}"/>`,
    `<polyline points="${points.join(' ')}" fill="none" stroke="${hex(GOLD)}" stroke-width="${WAVE.stroke}" stroke-linecap="round"/>`,
    '</svg>',
    '',
  ].join('\n');
}

/** One icon image: a 32-bit BMP (bottom-up rows, then an all-zero AND mask) as ICO files hold them. */
function bmpImage(size: number): Buffer {
  const header = Buffer.alloc(40);
  header.writeUInt32LE(40, 0);
  header.writeInt32LE(size, 4);
  header.writeInt32LE(size * 2, 8); // colour rows + mask rows, as the ICO format wants
  header.writeUInt16LE(1, 12);
  header.writeUInt16LE(32, 14);
  const pixels = Buffer.alloc(size * size * 4);
  const samples = 4; // 4×4 supersampling for smooth edges
  for (let row = 0; row < size; row++) {
    for (let col = 0; col < size; col++) {
      let r = 0,
        g = 0,
        b = 0,
        a = 0;
      for (let sy = 0; sy < samples; sy++) {
        for (let sx = 0; sx < samples; sx++) {
          const x = ((col + (sx + 0.5) / samples) / size) * SIZE;
          const y = ((row + (sy + 0.5) / samples) / size) * SIZE;
          const c = colourAt(x, y);
          if (!c) continue;
          r += c[0]!;
          g += c[1]!;
          b += c[2]!;
          a += 1;
        }
      }
      const offset = ((size - 1 - row) * size + col) * 4;
      if (a > 0) {
        pixels[offset] = Math.round(b / a);
        pixels[offset + 1] = Math.round(g / a);
        pixels[offset + 2] = Math.round(r / a);
      }
      pixels[offset + 3] = Math.round((a / (samples * samples)) * 255);
    }
  }
  const maskRow = Math.ceil(size / 32) * 4;
  return Buffer.concat([header, pixels, Buffer.alloc(maskRow * size)]);
}

export function emblemIco(sizes = [16, 32, 48]): Buffer {
  const images = sizes.map(bmpImage);
  const dir = Buffer.alloc(6 + 16 * sizes.length);
  dir.writeUInt16LE(0, 0);
  dir.writeUInt16LE(1, 2); // 1 = icon
  dir.writeUInt16LE(sizes.length, 4);
  let offset = dir.length;
  sizes.forEach((size, i) => {
    const entry = 6 + 16 * i;
    dir.writeUInt8(size, entry);
    dir.writeUInt8(size, entry + 1);
    dir.writeUInt16LE(1, entry + 4);
    dir.writeUInt16LE(32, entry + 6);
    dir.writeUInt32LE(images[i]!.length, entry + 8);
    dir.writeUInt32LE(offset, entry + 12);
    offset += images[i]!.length;
  });
  return Buffer.concat([dir, ...images]);
}

if (import.meta.url === `file://${process.argv[1]}`) {
  writeFileSync(new URL('../public/img/emblem.svg', import.meta.url), emblemSvg());
  writeFileSync(new URL('../public/favicon.ico', import.meta.url), emblemIco());
  process.stdout.write('wrote public/img/emblem.svg and public/favicon.ico\n');
}
