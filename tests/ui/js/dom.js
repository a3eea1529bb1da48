// A DOM for the page code's unit tests: jsdom's window, its classes made global the
// way a browser has them. Browser-only APIs jsdom lacks (canvas contexts,
// createImageBitmap, the Highlight API) stay absent unless a test supplies them; the
// real ones are driven by the browser tests (tests/browser).
import { JSDOM, VirtualConsole } from "jsdom";

const GLOBALS = [
  "window", "document", "Node", "Text", "Element", "HTMLElement", "HTMLMediaElement",
  "HTMLCanvasElement", "HTMLInputElement", "HTMLTextAreaElement", "Range", "KeyboardEvent", "MouseEvent", "Event",
  "MutationObserver",
];

export function installDom() {
  const dom = new JSDOM("<!doctype html><html><body></body></html>", {
    pretendToBeVisual: true,
    virtualConsole: new VirtualConsole(), // jsdom's "not implemented: canvas" notes stay quiet
  });
  for (const name of GLOBALS) globalThis[name] = name === "window" ? dom.window : dom.window[name];
  return dom;
}

/** A stand-in for anywidget's model: records what the page sends, delivers what the kernel sends. */
export class FakeModel {
  constructor() {
    this.sent = [];
    this.handlers = new Set();
  }
  send(content) {
    this.sent.push(content);
  }
  on(name, handler) {
    if (name === "msg:custom") this.handlers.add(handler);
  }
  off(name, handler) {
    if (name === "msg:custom") this.handlers.delete(handler);
  }
  deliver(content, buffers = []) {
    for (const handler of this.handlers) handler(content, buffers);
  }
}
