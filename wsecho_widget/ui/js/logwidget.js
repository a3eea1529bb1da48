// @ts-check
// The panel's log in the page (anywidget's render), kept in step with the kernel:
// the messages are protocol.js's UpdateMessage, ResetMessage and SelectedMessage; the
// page asks with SnapshotRequest and tells the selection with SelectRequest.

import { EntryList } from "./entries.js";
import { Selection } from "./selection.js";
import { Viewport } from "./viewport.js";

/** @typedef {import("./protocol.js").UpdateMessage} UpdateMessage */
/** @typedef {import("./protocol.js").ResetMessage} ResetMessage */
/** @typedef {import("./protocol.js").SelectedMessage} SelectedMessage */
/** @typedef {{send(content: object): void, on(name: string, f: Function): void, off(name: string, f: Function): void}} Model */

/** An update of more lines than this, FLOOD_GAP ms or less after the last one, is a flood's. */
export const FLOOD_LINES = 16;
/** Milliseconds between two updates under which they are one flood. */
export const FLOOD_GAP = 500;
/** Milliseconds the log stays still before a flood's newest lines get their colour. */
export const STILL = 300;

export class LogPage {
  /**
   * @param {Model} model
   * @param {HTMLElement} el
   */
  constructor(model, el) {
    this.model = model;
    this.el = el;
    this.root = document.createElement("div");
    this.root.className = "wsecho-entries";
    this.root.tabIndex = 0;
    this.root.setAttribute("role", "log");
    this.root.setAttribute("aria-label", "Messages: click or use the arrow keys to inspect one, Escape to clear");
    // The arrow keys and Escape are the log's here, not the notebook's (Lumino's
    // keyboard shortcuts skip targets inside such an element; Notebook 7 moved cells).
    this.root.dataset.lmSuppressShortcuts = "true";
    el.appendChild(this.root);
    const box = () => el.closest(".wsecho-log");
    this.viewport = new Viewport(box);
    this.list = new EntryList(this.root, this.viewport);
    this.selection = new Selection(this.list, this.root, box);
    this.token = `${Date.now().toString(36)}-${Math.random().toString(36).slice(2)}`;
    this.synced = false;
    /** @type {MutationObserver|null} */
    this.heightWatch = null;
    /** @type {HTMLElement|null} the scroll box, once known */
    this.box = null;
    this.colouring = false;
    /** the clock of paceColour (a test's own) */
    this.now = () => performance.now();
    this.updated = -Infinity;
    /** @type {ReturnType<typeof setTimeout>|undefined} */
    this.still = undefined;
    this.onScroll = this.onScroll.bind(this);
    this.onMessage = this.onMessage.bind(this);
    this.onClick = this.onClick.bind(this);
    this.onKey = this.onKey.bind(this);
    model.on("msg:custom", this.onMessage);
    this.root.addEventListener("click", this.onClick);
    this.root.addEventListener("keydown", this.onKey);
    // A new view (a re-run cell, a second view, a reloaded page) asks for what the
    // log shows now; until then, updates meant for the views in step are ignored.
    model.send({ kind: "snapshot", token: this.token });
  }

  /**
   * @param {UpdateMessage|ResetMessage|SelectedMessage} msg
   * @param {ArrayLike<ArrayBuffer|DataView>} buffers
   */
  onMessage(msg, buffers) {
    if (msg.kind === "reset") {
      if (msg.token !== null ? msg.token !== this.token : !this.synced) return;
      this.synced = true;
      this.list.reset(msg.entries, buffers);
      this.list.colourNewest();
      // A log shown afresh starts at its newest entry: the end of the panel's
      // column-reverse scroll box is scrollTop 0.
      const box = this.el.closest(".wsecho-log");
      if (box instanceof HTMLElement) {
        box.scrollTop = 0;
        if (this.heightWatch === null) {
          this.heightWatch = freeHeight(box);
          this.box = box;
          box.addEventListener("scroll", this.onScroll, { passive: true });
        }
      }
    } else if (msg.kind === "update" && this.synced) {
      this.list.update(msg, buffers);
      const append = msg.append ?? [];
      this.paceColour(append.length, append.some((item) => item.media !== undefined));
    } else if (msg.kind === "selected") {
      this.selection.set(msg.seq);
      return;
    } else {
      return;
    }
    this.selection.paint();
  }

  /**
   * Selects `seq` here at once and tells the kernel (which tells every view).
   * @param {number|null} seq
   */
  choose(seq) {
    if (seq === this.selection.seq) return;
    this.selection.set(seq);
    this.model.send({ kind: "select", seq });
  }

  /** @param {MouseEvent} event */
  onClick(event) {
    if (window.getSelection()?.isCollapsed === false) return; // the person is selecting text to copy
    const entry = this.selection.hit(event);
    if (entry !== undefined) this.choose(entry.seq);
  }

  /**
   * Colours an update's newest lines at once, or a stream's when its updates stop: a
   * flood (screens of lines several times a second, too fast to read) or pictures. New
   * highlight ranges beside pictures cost the page's main thread about 8 points while
   * pictures streamed (benchmarks/browser_pictures: 34-38 % against 26-29 % uncoloured).
   * @param {number} lines how many lines the update appended
   * @param {boolean} [media] whether it brought a picture, sound or video
   */
  paceColour(lines, media = false) {
    const now = this.now();
    const flood = (lines > FLOOD_LINES || media) && now - this.updated <= FLOOD_GAP;
    this.updated = now;
    clearTimeout(this.still);
    this.still = undefined;
    if (flood) this.still = setTimeout(() => this.list.colourNewest(), STILL);
    else this.list.colourNewest();
  }

  /** Scrolled back: the older lines get their colour too (an update colours only its newest). */
  onScroll() {
    if (this.colouring) return;
    this.colouring = true;
    requestAnimationFrame(() => {
      this.colouring = false;
      this.list.colour(0);
    });
  }

  /** @param {KeyboardEvent} event */
  onKey(event) {
    const steps = { ArrowUp: -1, ArrowDown: 1 };
    const step = /** @type {Record<string, number>} */ (steps)[event.key];
    const clear = event.key === "Escape" && this.selection.seq !== null;
    if (step === undefined && !clear) return;
    event.preventDefault();
    event.stopPropagation();
    if (clear) {
      this.choose(null);
    } else {
      this.choose(this.selection.neighbour(step));
      this.selection.reveal();
    }
  }

  dispose() {
    this.model.off("msg:custom", this.onMessage);
    clearTimeout(this.still);
    this.selection.dispose();
    this.list.clear();
    this.viewport.disconnect();
    this.heightWatch?.disconnect();
    this.box?.removeEventListener("scroll", this.onScroll);
    this.root.remove();
  }
}

/**
 * Once the person drags the log's corner (CSS resize sets its height), the height is
 * theirs: the panel's default cap (its max-height) goes.
 * @param {HTMLElement} box
 */
export function freeHeight(box) {
  const watch = new MutationObserver(() => {
    if (box.style.height !== "" && box.style.maxHeight !== "none") box.style.maxHeight = "none";
  });
  watch.observe(box, { attributes: true, attributeFilter: ["style"] });
  return watch;
}

/** @param {{model: Model, el: HTMLElement}} view */
function render({ model, el }) {
  const page = new LogPage(model, el);
  return () => page.dispose();
}

export default { render };
