// Renders every installer icon from the one source image, renderer/public/icon.svg:
//   build/icon.png        1024×1024, electron-builder's default source
//   build/icons/NxN.png   the sizes Linux desktop entries and AppImage look up
//   build/icon.ico        Windows (PNG-compressed entries, 16 to 256)
//   build/icon.icns       macOS (PNG-compressed entries, 16 to 1024)
//   build/tray.png, tray@2x.png                 the tray icon on Windows and Linux (16, 32)
//   build/trayTemplate.png, trayTemplate@2x.png macOS's menu bar: black and alpha, tinted by the system
// The outputs are committed, so building an installer needs neither this script nor sharp.
// Run `node scripts/icons.mjs` after changing the SVG.
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import sharp from 'sharp';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const source = path.join(root, 'renderer', 'public', 'icon.svg');
const buildDir = path.join(root, 'build');

const svg = await readFile(source);

/** @param {number} size */
async function render(size) {
  // Rasterise at a density that gives the target size directly, so small icons stay sharp.
  const { width } = await sharp(svg).metadata();
  const density = Math.max(1, Math.round((72 * size) / (width ?? size)));
  return sharp(svg, { density }).resize(size, size).png({ compressionLevel: 9 }).toBuffer();
}

/** @param {{ size: number, png: Buffer }[]} images */
function ico(images) {
  const header = Buffer.alloc(6);
  header.writeUInt16LE(0, 0);
  header.writeUInt16LE(1, 2);
  header.writeUInt16LE(images.length, 4);
  const entries = [];
  let offset = 6 + 16 * images.length;
  for (const { size, png } of images) {
    const entry = Buffer.alloc(16);
    entry.writeUInt8(size >= 256 ? 0 : size, 0);
    entry.writeUInt8(size >= 256 ? 0 : size, 1);
    entry.writeUInt8(0, 2);
    entry.writeUInt8(0, 3);
    entry.writeUInt16LE(1, 4);
    entry.writeUInt16LE(32, 6);
    entry.writeUInt32LE(png.length, 8);
    entry.writeUInt32LE(offset, 12);
    offset += png.length;
    entries.push(entry);
  }
  return Buffer.concat([header, ...entries, ...images.map((image) => image.png)]);
}

/** @param {{ type: string, png: Buffer }[]} images */
function icns(images) {
  const chunks = images.map(({ type, png }) => {
    const head = Buffer.alloc(8);
    head.write(type, 0, 'ascii');
    head.writeUInt32BE(8 + png.length, 4);
    return Buffer.concat([head, png]);
  });
  const body = Buffer.concat(chunks);
  const head = Buffer.alloc(8);
  head.write('icns', 0, 'ascii');
  head.writeUInt32BE(8 + body.length, 4);
  return Buffer.concat([head, body]);
}

const sizes = [16, 24, 32, 48, 64, 128, 256, 512, 1024];
/** @type {Map<number, Buffer>} */
const pngs = new Map();
for (const size of sizes) pngs.set(size, await render(size));
const png = (/** @type {number} */ size) => /** @type {Buffer} */ (pngs.get(size));

await mkdir(path.join(buildDir, 'icons'), { recursive: true });
await writeFile(path.join(buildDir, 'icon.png'), png(1024));
for (const size of [16, 32, 48, 64, 128, 256, 512, 1024]) {
  await writeFile(path.join(buildDir, 'icons', `${size}x${size}.png`), png(size));
}
await writeFile(
  path.join(buildDir, 'icon.ico'),
  ico([16, 24, 32, 48, 64, 128, 256].map((size) => ({ size, png: png(size) }))),
);
await writeFile(
  path.join(buildDir, 'icon.icns'),
  icns([
    { type: 'icp4', png: png(16) },
    { type: 'icp5', png: png(32) },
    { type: 'icp6', png: png(64) },
    { type: 'ic07', png: png(128) },
    { type: 'ic08', png: png(256) },
    { type: 'ic09', png: png(512) },
    { type: 'ic10', png: png(1024) },
    { type: 'ic11', png: png(32) },
    { type: 'ic12', png: png(64) },
    { type: 'ic13', png: png(256) },
    { type: 'ic14', png: png(512) },
  ]),
);
await writeFile(path.join(buildDir, 'tray.png'), png(16));
await writeFile(path.join(buildDir, 'tray@2x.png'), png(32));
/**
 * The icon's white speech bubble as a black shape on transparency, as macOS wants its
 * template images: the bubble's brightness becomes the alpha (the indigo square drops out).
 * @param {number} size
 */
async function template(size) {
  const alpha = await sharp(png(size))
    .flatten({ background: '#000000' })
    .greyscale()
    .linear(255 / 176, (-79 * 255) / 176)
    .extractChannel(0)
    .toBuffer();
  return sharp({ create: { width: size, height: size, channels: 3, background: '#000000' } })
    .joinChannel(alpha)
    .png({ compressionLevel: 9 })
    .toBuffer();
}
await writeFile(path.join(buildDir, 'trayTemplate.png'), await template(16));
await writeFile(path.join(buildDir, 'trayTemplate@2x.png'), await template(32));
console.log(`Icons written to ${path.relative(root, buildDir)}/`);
