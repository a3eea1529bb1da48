// @ts-check
// Only pictures in or near the log's view keep their canvas attached: each canvas is a
// compositor layer of its own, and 20 of them made every frame's layerize and commit
// steps cost ~10% of the page's main thread (measured). A picture out of view keeps
// its place and its bitmap; its canvas comes back when it scrolls in.

export class Viewport {
  /** @param {() => Element|null} box the scrolling box, once the view is in the page */
  constructor(box) {
    this.box = box;
    /** @type {IntersectionObserver|null} */
    this.observer = null;
  }

  /** @param {HTMLElement} frame a picture's frame */
  watch(frame) {
    if (this.observer === null) {
      const root = this.box();
      if (root === null || typeof IntersectionObserver === "undefined") return; // the canvas simply stays
      this.observer = new IntersectionObserver(onView, { root, rootMargin: "50% 0px" });
    }
    this.observer.observe(frame);
  }

  /** @param {HTMLElement} frame */
  unwatch(frame) {
    this.observer?.unobserve(frame);
  }

  disconnect() {
    this.observer?.disconnect();
    this.observer = null;
  }
}

/** @param {IntersectionObserverEntry[]} records */
export function onView(records) {
  for (const record of records) {
    const frame = record.target;
    /** @type {HTMLCanvasElement|undefined} */
    const canvas = /** @type {any} */ (frame).__wsechoCanvas;
    if (canvas === undefined) continue;
    if (record.isIntersecting) {
      if (canvas.parentNode !== frame) frame.appendChild(canvas);
    } else if (canvas.parentNode === frame) {
      canvas.remove();
    }
  }
}
