import assert from "node:assert/strict";
import { test } from "node:test";

import { installDom } from "./dom.js";

installDom();
const { LivePicture } = await import("../../../wsecho_widget/ui/js/livewidget.js");

// jsdom decodes no pictures: a stand-in bitmap of the size the test says, made when told.
function decoder() {
  const pending = [];
  globalThis.createImageBitmap = () =>
    new Promise((resolve) =>
      pending.push((width, height) => {
        const bitmap = { width, height, closed: false, close: () => (bitmap.closed = true) };
        resolve(bitmap);
        return bitmap;
      }),
    );
  return pending;
}

test("a frame that decodes after a newer one is closed, not drawn", async () => {
  const pending = decoder();
  const picture = new LivePicture(document.body);
  picture.onMessage({ kind: "frame", type: "image/png" }, [new ArrayBuffer(4)]);
  picture.onMessage({ kind: "frame", type: "image/png" }, [new ArrayBuffer(4)]);
  const newer = pending[1](20, 10);
  const older = pending[0](30, 30);
  await new Promise((resolve) => setTimeout(resolve, 0));
  assert.equal(picture.canvas.width, 20);
  assert.equal(picture.canvas.height, 10);
  assert.equal(picture.canvas.dataset.frames, "1");
  assert.equal(older.closed, true);
  assert.equal(newer.closed, false);
});

test("clear empties the canvas and a message without one buffer is ignored", () => {
  decoder();
  const picture = new LivePicture(document.body);
  picture.canvas.width = 5;
  picture.onMessage({ kind: "frame", type: "image/png" }, []);
  assert.equal(picture.latest, 0);
  picture.onMessage({ kind: "clear" }, []);
  assert.equal(picture.canvas.width, 0);
});
