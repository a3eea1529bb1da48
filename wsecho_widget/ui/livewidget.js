// The live view's picture in the page: one canvas, redrawn with each frame the kernel
// shows. The kernel sends {kind: "frame", type} with the picture's bytes as one binary
// buffer, or {kind: "clear"}. Frames are decoded off the main thread
// (createImageBitmap) and handed to the same canvas (ImageBitmapRenderingContext), so the page keeps one decoded
// picture whatever the stream's length (an <img> given a new blob URL per frame keeps
// its old decoded copies in the image cache: ~0.3 MB per frame, measured).

function render({ model, el }) {
  const canvas = document.createElement("canvas");
  canvas.className = "wsecho-live-picture";
  canvas.width = canvas.height = 0;
  canvas.dataset.frames = "0";
  el.appendChild(canvas);
  let latest = 0; // a frame that decodes after a newer one arrived is not drawn

  function onMessage(msg, buffers) {
    if (msg.kind === "clear") {
      latest += 1;
      canvas.getContext("bitmaprenderer").transferFromImageBitmap(null);
      canvas.width = canvas.height = 0;
      return;
    }
    if (msg.kind !== "frame" || buffers.length !== 1) return;
    const mine = ++latest;
    createImageBitmap(new Blob([buffers[0]], { type: msg.type })).then(
      (bitmap) => {
        if (mine === latest) {
          if (canvas.width !== bitmap.width || canvas.height !== bitmap.height) {
            canvas.width = bitmap.width;
            canvas.height = bitmap.height;
          }
          // The bitmap becomes the canvas's picture without a copy; the previous one is released.
          canvas.getContext("bitmaprenderer").transferFromImageBitmap(bitmap);
          canvas.dataset.frames = String(Number(canvas.dataset.frames) + 1);
        } else {
          bitmap.close();
        }
      },
      () => {}, // a frame the page cannot decode: the previous one stays
    );
  }

  model.on("msg:custom", onMessage);
  model.send({ kind: "frame?" }); // a new view asks for the frame shown now
  return () => {
    model.off("msg:custom", onMessage);
    canvas.getContext("bitmaprenderer").transferFromImageBitmap(null);
    canvas.width = canvas.height = 0;
    canvas.remove();
  };
}

export default { render };
