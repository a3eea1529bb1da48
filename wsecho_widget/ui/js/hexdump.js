// @ts-check
// A classic hex dump (offset, hex, ASCII) and the hex a Copy puts on the clipboard.

const WIDTH = 16;

/**
 * The dump of `bytes`, 16 a line: "00000010  68 65 6c 6c 6f …  |hello…|".
 * @param {Uint8Array} bytes
 * @returns {string}
 */
export function hexDump(bytes) {
  const lines = [];
  for (let offset = 0; offset < bytes.length; offset += WIDTH) {
    const row = bytes.subarray(offset, offset + WIDTH);
    let hex = "";
    let ascii = "";
    for (let i = 0; i < WIDTH; i++) {
      if (i === 8) hex += " ";
      if (i < row.length) {
        hex += row[i].toString(16).padStart(2, "0") + " ";
        ascii += row[i] >= 32 && row[i] < 127 ? String.fromCharCode(row[i]) : ".";
      } else {
        hex += "   ";
      }
    }
    lines.push(`${offset.toString(16).padStart(8, "0")}  ${hex} |${ascii}|`);
  }
  return lines.join("\n");
}

/**
 * Hex pairs separated by spaces ("00 ff 10"), as the log's previews show them.
 * @param {Uint8Array} bytes
 * @returns {string}
 */
export function hexPairs(bytes) {
  return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join(" ");
}
