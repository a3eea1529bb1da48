// @ts-check
// The live view's picture in the page: one canvas, redrawn with each frame the kernel
// shows (protocol.js's FrameMessage; the page asks with FrameRequest). Frames are
// decoded off the main thread (createImageBitmap) and handed to the same canvas
// (ImageBitmapRenderingContext), so the page keeps one decoded picture whatever the
// stream's length (an <img> given a new blob URL per frame keeps its old decoded
// copies in the image cache: ~0.3 MB per frame, measured).

/** @typedef {import("./protocol.js").FrameMessage} FrameMessage */
/** @typedef {import("./logwidget.js").Model} Model */

export class LivePicture {
  /** @param {HTMLElement} el */
  constructor(el) {
    this.canvas = document.createElement("canvas");
    this.canvas.className = "wsecho-live-picture";
    this.canvas.width = this.canvas.height = 0;
    this.canvas.dataset.frames = "0";
    el.appendChild(this.canvas);
    this.latest = 0; // a frame that decodes after a newer one arrived is not drawn
  }

  /**
   * @param {FrameMessage} msg
   * @param {ArrayLike<ArrayBuffer|DataView>} buffers
   */
  onMessage(msg, buffers) {
    if (msg.kind === "clear") {
      this.latest += 1;
      this.blank();
      return;
    }
    if (msg.kind !== "frame" || buffers.length !== 1) return;
    const mine = ++this.latest;
    createImageBitmap(new Blob([buffers[0]], { type: msg.type })).then(
      (bitmap) => this.draw(bitmap, mine),
      () => {}, // a frame the page cannot decode: the previous one stays
    );
  }

  /**
   * @param {ImageBitmap} bitmap
   * @param {number} mine
   */
  draw(bitmap, mine) {
    if (mine !== this.latest) {
      bitmap.close();
      return;
    }
    const canvas = this.canvas;
    if (canvas.width !== bitmap.width || canvas.height !== bitmap.height) {
      canvas.width = bitmap.width;
      canvas.height = bitmap.height;
    }
    // The bitmap becomes the canvas's picture without a copy; the previous one is released.
    canvas.getContext("bitmaprenderer")?.transferFromImageBitmap(bitmap);
    canvas.dataset.frames = String(Number(canvas.dataset.frames) + 1);
  }

  blank() {
    this.canvas.getContext("bitmaprenderer")?.transferFromImageBitmap(null);
    this.canvas.width = this.canvas.height = 0;
  }
}

/** @param {{model: Model, el: HTMLElement}} view */
function render({ model, el }) {
  const picture = new LivePicture(el);
  /** @type {(msg: FrameMessage, buffers: ArrayLike<ArrayBuffer|DataView>) => void} */
  const onMessage = (msg, buffers) => picture.onMessage(msg, buffers);
  model.on("msg:custom", onMessage);
  model.send({ kind: "frame?" }); // a new view asks for the frame shown now
  return () => {
    model.off("msg:custom", onMessage);
    picture.blank();
    picture.canvas.remove();
  };
}

export default { render };
