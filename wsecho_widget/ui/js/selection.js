// @ts-check
// The selected log entry: picked with a click or the arrow keys, drawn with the CSS
// Custom Highlight API (a Range over the entry's characters: no element is added or
// split, so a flood's shared Text nodes stay as they are).

/** @typedef {import("./entries.js").EntryList} EntryList */
/** @typedef {import("./media.js").Entry} Entry */

import { sharedHighlight } from "./heads.js";

const HIGHLIGHT = "wsecho-selected";

/** Every log view on the page adds its one range to the same named highlight, drawn
 * over the direction colours (heads.js). */
function selectedHighlight() {
  return sharedHighlight(HIGHLIGHT, 1);
}

export class Selection {
  /**
   * @param {EntryList} list
   * @param {HTMLElement} root the entries' element (its data-selected says the seq)
   * @param {() => Element|null} box the scrolling box
   */
  constructor(list, root, box) {
    this.list = list;
    this.root = root;
    this.box = box;
    /** @type {number|null} */
    this.seq = null;
    /** @type {Range|null} */
    this.range = null;
  }

  /**
   * Selects `seq` (null: none) and draws it.
   * @param {number|null} seq
   */
  set(seq) {
    this.seq = seq;
    this.paint();
  }

  /** Draws the selection again (after the entries changed). */
  paint() {
    const highlight = selectedHighlight();
    if (this.range !== null) highlight?.delete(this.range);
    this.range = null;
    this.root.querySelector(".wsecho-selected-media")?.classList.remove("wsecho-selected-media");
    const entry = this.seq === null ? undefined : this.list.find(this.seq);
    if (entry === undefined) {
      delete this.root.dataset.selected;
      return;
    }
    this.root.dataset.selected = String(entry.seq);
    const [text, start, end] = this.list.span(entry);
    if (text.parentNode !== null) {
      this.range = document.createRange();
      this.range.setStart(text, Math.min(start, text.length));
      this.range.setEnd(text, Math.min(end, text.length));
      highlight?.add(this.range);
    }
    entry.media?.classList.add("wsecho-selected-media");
  }

  /**
   * The seq of the entry one step older (-1) or newer (+1) than the selected one;
   * from no selection, the newest (either way).
   * @param {number} step
   * @returns {number|null}
   */
  neighbour(step) {
    const entries = this.list.entries;
    if (entries.length === 0) return null;
    const at = this.seq === null ? -1 : entries.findIndex((e) => e.seq === this.seq);
    if (at < 0) return entries[entries.length - 1].seq;
    return entries[Math.max(0, Math.min(entries.length - 1, at + step))].seq;
  }

  /**
   * The entry under a click, from its target and its point.
   * @param {MouseEvent} event
   * @returns {Entry|undefined}
   */
  hit(event) {
    const target = /** @type {Element} */ (event.target);
    const media = this.list.entries.find((e) => e.media !== null && e.media.contains(target));
    if (media !== undefined) return media;
    const caret = caretAt(event.clientX, event.clientY);
    return caret === null ? undefined : this.list.at(caret[0], caret[1]);
  }

  /** Scrolls the box just enough for the selected entry to be in view. */
  reveal() {
    const box = this.box();
    if (box === null || this.range === null || !("getBoundingClientRect" in this.range)) return; // jsdom has no layout
    const rect = this.range.getBoundingClientRect();
    const view = box.getBoundingClientRect();
    if (rect.top < view.top) box.scrollTop -= view.top - rect.top;
    else if (rect.bottom > view.bottom) box.scrollTop += Math.min(rect.bottom - view.bottom, rect.top - view.top);
  }

  dispose() {
    if (this.range !== null) selectedHighlight()?.delete(this.range);
    this.range = null;
  }
}

/**
 * The Text node and character under a point, or null.
 * @param {number} x
 * @param {number} y
 * @returns {[Node, number]|null}
 */
export function caretAt(x, y) {
  const doc = /** @type {any} */ (document);
  if (typeof doc.caretPositionFromPoint === "function") {
    const position = doc.caretPositionFromPoint(x, y);
    return position ? [position.offsetNode, position.offset] : null;
  }
  if (typeof doc.caretRangeFromPoint === "function") {
    const range = doc.caretRangeFromPoint(x, y);
    return range ? [range.startContainer, range.startOffset] : null;
  }
  return null;
}
