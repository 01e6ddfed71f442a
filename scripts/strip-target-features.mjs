// node scripts/strip-target-features.mjs <in.wasm> <out.wasm>
// Copies a WebAssembly module without its `target_features` custom section, byte for byte
// otherwise. wasm-bindgen reads that section to choose between its externref/multivalue output and
// its classic one; the precompiled standard library lists reference-types there even when our code
// is built without it (.cargo/config.toml says why we build without it).
import { readFileSync, writeFileSync } from "node:fs";

const [input, output] = process.argv.slice(2);
if (!input || !output) {
  console.error("usage: node scripts/strip-target-features.mjs <in.wasm> <out.wasm>");
  process.exit(2);
}
const bytes = readFileSync(input);
if (bytes.length < 8 || bytes.readUInt32LE(0) !== 0x6d736100) throw new Error(`${input}: not a WebAssembly module`);

/** Reads an unsigned LEB128 at `at`: [value, next offset]. */
const leb = (at) => {
  let value = 0;
  for (let shift = 0; shift < 35; shift += 7) {
    if (at >= bytes.length) break;
    const byte = bytes[at++];
    value += (byte & 0x7f) * 2 ** shift;
    if (byte < 0x80) return [value, at];
  }
  throw new Error(`${input}: malformed LEB128 at byte ${at}`);
};

const kept = [bytes.subarray(0, 8)];
let removed = 0;
for (let at = 8; at < bytes.length; ) {
  const start = at;
  const id = bytes[at];
  const [size, body] = leb(at + 1);
  const end = body + size;
  if (end > bytes.length) throw new Error(`${input}: section at byte ${start} runs past the end`);
  let drop = false;
  if (id === 0) {
    const [nameLength, name] = leb(body);
    drop = bytes.toString("utf8", name, name + nameLength) === "target_features";
  }
  if (drop) removed += 1;
  else kept.push(bytes.subarray(start, end));
  at = end;
}
writeFileSync(output, Buffer.concat(kept));
if (removed === 0) console.error(`${input}: no target_features section (nothing removed)`);
