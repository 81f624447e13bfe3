// The few ustar headers the pull writes (names are short: `blobs/sha256/<hex>`),
// so blobs can be streamed into the archive without a tar library buffering them.

export const TAR_END = Buffer.alloc(1024);

export function tarHeader(name: string, size: number, type: "0" | "5" = "0"): Buffer {
  if (Buffer.byteLength(name) > 100) throw new Error(`tar name too long: ${name}`);
  const h = Buffer.alloc(512);
  h.write(name, 0, 100, "utf8");
  h.write(type === "5" ? "0000755\0" : "0000644\0", 100);
  h.write("0000000\0", 108);
  h.write("0000000\0", 116);
  if (size < 8 ** 11) h.write(size.toString(8).padStart(11, "0") + "\0", 124);
  else {
    // GNU base-256 for sizes of 8 GiB and more.
    h[124] = 0x80;
    let v = BigInt(size);
    for (let i = 135; i > 124; i--) {
      h[i] = Number(v & 0xffn);
      v >>= 8n;
    }
  }
  h.write("00000000000\0", 136);
  h.write("        ", 148);
  h.write(type, 156);
  h.write("ustar\0", 257);
  h.write("00", 263);
  let sum = 0;
  for (const b of h) sum += b;
  h.write(sum.toString(8).padStart(6, "0") + "\0 ", 148);
  return h;
}

export function tarPadding(size: number): Buffer {
  return Buffer.alloc((512 - (size % 512)) % 512);
}
