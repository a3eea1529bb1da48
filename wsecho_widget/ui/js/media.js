// @ts-check
// A log entry's medium in the page: one element per medium (a canvas for a still
// picture; <img>, <audio> or <video> with one blob URL otherwise), emptied and its URL
// revoked when it leaves, so the page lets go of its memory.

/**
 * An entry as the page keeps it.
 * @typedef {object} Entry
 * @property {number} seq
 * @property {Text} text its Text node (shared by a run of text-only entries)
 * @property {number} length its part of a shared node, or -1: the node is its own
 * @property {HTMLElement} pre the block holding the node
 * @property {HTMLElement|null} media
 * @property {HTMLCanvasElement|null} canvas
 * @property {string|null} url
 * @property {Range|null} head its time and arrow in the direction's colour (heads.js)
 */

/**
 * @param {string} type a media type ("image/gif", "audio/wav")
 * @param {string} url a blob URL of its bytes
 * @param {[number, number]|undefined} size a picture's size from its header
 * @returns {HTMLElement}
 */
export function mediaElement(type, url, size) {
  const kind = type.split("/")[0];
  if (kind === "image") {
    const img = document.createElement("img");
    img.className = "wsecho-media wsecho-image";
    img.alt = type;
    img.decoding = "async";
    if (size) {
      // Known before decoding (the kernel read the header): no relayout when it decodes.
      img.width = size[0];
      img.height = size[1];
    }
    img.src = url;
    return img;
  }
  const player = document.createElement(kind === "video" ? "video" : "audio");
  player.className = `wsecho-media wsecho-${kind}`;
  player.controls = true; // a log is no place for autoplay
  player.autoplay = false;
  player.preload = "metadata";
  player.src = url;
  return player;
}

/**
 * The frame keeps the picture's place (its size is known from the header before
 * decoding: no relayout when it decodes) whether or not its canvas is attached.
 * @param {HTMLElement} frame
 * @param {HTMLCanvasElement} canvas
 * @param {[number, number]|undefined} size
 */
export function fit(frame, canvas, size) {
  const [width, height] = size ?? [0, 0];
  canvas.width = width;
  canvas.height = height;
  frame.style.width = `${width}px`;
  frame.style.aspectRatio = width && height ? `${width} / ${height}` : "";
}

/**
 * A still picture is decoded once (off the main thread) and handed to a canvas: its
 * decoded pixels are the canvas's and go when the canvas is emptied (an <img> leaves
 * its decoded copy in the page's image cache long after it is removed: ~0.4 MB per
 * picture, measured).
 * @param {Entry} entry
 * @param {Blob} blob
 * @param {[number, number]|undefined} size
 * @returns {HTMLElement} the frame holding the canvas
 */
export function stillPicture(entry, blob, size) {
  const canvas = document.createElement("canvas");
  canvas.className = "wsecho-image";
  const frame = document.createElement("div");
  frame.className = "wsecho-media wsecho-frame";
  frame.appendChild(canvas);
  /** @type {any} */ (frame).__wsechoCanvas = canvas; // for the observer (and the browser tests)
  entry.canvas = canvas;
  fit(frame, canvas, size);
  createImageBitmap(blob).then(
    (bitmap) => drawDecoded(entry, frame, canvas, bitmap),
    () => {
      if (entry.canvas === canvas) {
        fit(frame, canvas, [0, 0]);
        entry.text.data = entry.text.data.replace(/\n?$/, " (the page could not decode it)\n");
      }
    },
  );
  return frame;
}

/**
 * @param {Entry} entry
 * @param {HTMLElement} frame
 * @param {HTMLCanvasElement} canvas
 * @param {ImageBitmap} bitmap
 */
function drawDecoded(entry, frame, canvas, bitmap) {
  if (entry.canvas !== canvas) {
    bitmap.close(); // the entry left while it decoded
    return;
  }
  // Resizing a canvas clears it and relays it out: only when the header lied.
  if (canvas.width !== bitmap.width || canvas.height !== bitmap.height) {
    fit(frame, canvas, [bitmap.width, bitmap.height]);
  }
  // The decoded bitmap becomes the canvas's picture without a copy (a 2D context's
  // drawImage copied it: ~5 points of main-thread time at 30/s).
  canvas.getContext("bitmaprenderer")?.transferFromImageBitmap(bitmap);
  canvas.dataset.drawn = "1";
}

/**
 * Lets go of an entry's medium: its canvas's bitmap, its element, its blob URL.
 * @param {Entry} entry
 * @param {(frame: HTMLElement) => void} unwatch
 */
export function releaseMedia(entry, unwatch) {
  if (entry.canvas !== null && entry.media !== null) {
    unwatch(entry.media);
    entry.canvas.getContext("bitmaprenderer")?.transferFromImageBitmap(null);
    entry.canvas.width = 0;
    entry.canvas.height = 0;
    entry.canvas.remove();
    /** @type {any} */ (entry.media).__wsechoCanvas = undefined;
  }
  entry.canvas = null;
  if (entry.media !== null) {
    entry.media.remove();
    if (entry.media instanceof HTMLMediaElement) {
      entry.media.removeAttribute("src");
      entry.media.load(); // stops a playing medium and frees its decoder
    }
    entry.media = null;
  }
  if (entry.url !== null) {
    URL.revokeObjectURL(entry.url);
    entry.url = null;
  }
}
