// @ts-check
// The log's entries in the page, oldest first, kept in step with the kernel's
// UpdateMessage and ResetMessage (protocol.js). Text is only ever set as text.
// Lines of text only, in a row, share one Text node: a flood's render of 200 lines is
// one node to lay out and one to remove, not 200 of each. An entry with a medium has
// a node of its own (its text changes when the medium leaves).

import { dropHead, headRange } from "./heads.js";
import { mediaElement, releaseMedia, stillPicture } from "./media.js";

/** @typedef {import("./protocol.js").Item} Item */
/** @typedef {import("./protocol.js").UpdateMessage} UpdateMessage */
/** @typedef {import("./media.js").Entry} Entry */
/** @typedef {{watch(frame: HTMLElement): void, unwatch(frame: HTMLElement): void}} Watcher */

/** How many of the newest entries an update colours at once (more than a log's view shows). */
export const HEADS = 64;

export class EntryList {
  /**
   * @param {HTMLElement} root the element the entries go in
   * @param {Watcher} viewport told of each still picture's frame
   */
  constructor(root, viewport) {
    this.root = root;
    this.viewport = viewport;
    /** @type {Entry[]} */
    this.entries = [];
  }

  /** @param {Entry} entry */
  release(entry) {
    dropHead(entry);
    releaseMedia(entry, (frame) => this.viewport.unwatch(frame));
  }

  /** The last block of text, or a new one. */
  textBlock() {
    const last = this.root.lastElementChild;
    if (last instanceof HTMLElement && last.tagName === "PRE" && last === this.root.lastChild) return last;
    const pre = document.createElement("pre");
    pre.className = "wsecho-text";
    this.root.appendChild(pre);
    return pre;
  }

  /**
   * New entries at the end; `reuse` holds entries whose medium a kept item takes over.
   * @param {Item[]} items
   * @param {ArrayLike<ArrayBuffer|DataView>} buffers
   * @param {Map<number, Entry>} reuse
   */
  append(items, buffers, reuse) {
    /** @type {Item[]} */
    let run = [];
    for (const item of items) {
      if (item.media === undefined && !item.keep) {
        run.push(item);
        continue;
      }
      this.appendRun(run);
      run = [];
      this.appendMedium(item, buffers, reuse);
    }
    this.appendRun(run);
  }

  /** Colours the newest HEADS entries (more than a view shows), those that have no colour yet. */
  colourNewest() {
    this.colour(this.entries.length - HEADS);
  }

  /**
   * Gives the entries from index `from` on their head's colour (heads.js), those that
   * have none yet. The log colours the newest HEADS after an update (a range per line
   * for 200 lines cost as much as the rest of the update), and the older ones when the
   * person scrolls (colour(0)).
   * @param {number} from
   */
  colour(from) {
    /** @type {Map<Text, number>} shared node -> where the next entry on it starts */
    const starts = new Map();
    this.entries.forEach((entry, index) => {
      const start = entry.length < 0 ? 0 : (starts.get(entry.text) ?? 0);
      if (entry.length >= 0) starts.set(entry.text, start + entry.length);
      if (index < from || entry.head !== null) return;
      const end = entry.length < 0 ? entry.text.length : start + entry.length;
      entry.head = headRange(entry.text, start, entry.text.data.slice(start, Math.min(end, start + 64)));
    });
  }

  /** @param {Item[]} run text-only items, sharing one Text node */
  appendRun(run) {
    if (run.length === 0) return;
    const pre = this.textBlock();
    const text = document.createTextNode(run.map((item) => item.text).join(""));
    pre.appendChild(text);
    for (const item of run) this.entries.push(newEntry(item.seq, text, item.text.length, pre));
  }

  /**
   * @param {Item} item an item with a medium (its bytes, or kept from `reuse`)
   * @param {ArrayLike<ArrayBuffer|DataView>} buffers
   * @param {Map<number, Entry>} reuse
   */
  appendMedium(item, buffers, reuse) {
    const pre = this.textBlock();
    const text = document.createTextNode(item.text);
    pre.appendChild(text);
    const entry = newEntry(item.seq, text, -1, pre);
    const kept = item.keep ? reuse.get(item.seq) : undefined;
    if (kept !== undefined) {
      entry.media = kept.media;
      entry.canvas = kept.canvas;
      entry.url = kept.url;
      kept.media = kept.canvas = null;
      kept.url = null;
    } else if (item.buffer !== undefined && buffers[item.buffer] !== undefined && item.media) {
      const blob = new Blob([buffers[item.buffer]], { type: item.media });
      if (item.media.startsWith("image/") && !item.animated) {
        entry.media = stillPicture(entry, blob, item.size);
      } else {
        entry.url = URL.createObjectURL(blob);
        entry.media = mediaElement(item.media, entry.url, item.size);
      }
    }
    if (entry.media !== null) {
      this.root.appendChild(entry.media);
      if (entry.canvas !== null && kept === undefined) this.viewport.watch(entry.media);
    }
    this.entries.push(entry);
  }

  /**
   * The oldest `count` entries leave (oldest first: a shared node loses its start).
   * @param {number} count
   */
  trim(count) {
    const gone = this.entries.slice(0, count);
    this.entries = this.entries.slice(count);
    /** @type {Map<Text, number>} shared node -> characters to cut from its start */
    const cut = new Map();
    for (const entry of gone) {
      this.release(entry);
      if (entry.length < 0) entry.text.remove();
      else cut.set(entry.text, (cut.get(entry.text) ?? 0) + entry.length);
    }
    for (const [text, chars] of cut) {
      if (chars >= text.length) text.remove();
      else text.deleteData(0, chars);
    }
    for (const entry of gone) {
      if (entry.pre.parentNode !== null && !entry.pre.hasChildNodes()) entry.pre.remove();
    }
  }

  /**
   * @param {UpdateMessage} msg
   * @param {ArrayLike<ArrayBuffer|DataView>} buffers
   */
  update(msg, buffers) {
    if (msg.drop) {
      const changed = new Map(msg.drop);
      for (const entry of this.entries) {
        const text = changed.get(entry.seq);
        if (text !== undefined && entry.length < 0) {
          this.release(entry);
          entry.text.data = text;
          entry.head = headRange(entry.text, 0, text);
        }
      }
    }
    if (msg.append) this.append(msg.append, buffers, new Map());
    if (msg.trim) this.trim(msg.trim);
  }

  /**
   * Everything afresh; media still shown keep their element (their bytes do not come again).
   * @param {Item[]} items
   * @param {ArrayLike<ArrayBuffer|DataView>} buffers
   */
  reset(items, buffers) {
    const old = this.entries;
    const reuse = new Map(old.filter((e) => e.media !== null).map((e) => [e.seq, e]));
    this.entries = [];
    this.root.replaceChildren();
    this.append(items, buffers, reuse);
    for (const entry of old) this.release(entry); // what was not reused
  }

  /** Lets go of every entry. */
  clear() {
    for (const entry of this.entries) this.release(entry);
    this.entries = [];
    this.root.replaceChildren();
  }

  /**
   * The entry of `seq`, or undefined.
   * @param {number} seq
   */
  find(seq) {
    return this.entries.find((entry) => entry.seq === seq);
  }

  /**
   * Where an entry's text is: its node and the characters it spans there.
   * @param {Entry} entry
   * @returns {[Text, number, number]}
   */
  span(entry) {
    if (entry.length < 0) return [entry.text, 0, entry.text.length];
    let start = 0; // the entries before it on its node (trimmed ones left with their text)
    for (const other of this.entries) {
      if (other === entry) break;
      if (other.text === entry.text) start += other.length;
    }
    return [entry.text, start, start + entry.length];
  }

  /**
   * The entry at a character of a Text node (a click's caret), or undefined.
   * @param {Node} node
   * @param {number} offset
   */
  at(node, offset) {
    /** @type {Entry|undefined} */
    let last;
    let start = 0;
    for (const entry of this.entries) {
      if (entry.text !== node) continue;
      const end = entry.length < 0 ? entry.text.length : start + entry.length;
      if (offset >= start && offset < end) return entry;
      start = end;
      last = entry;
    }
    return last; // the caret after the node's last character
  }
}

/**
 * @param {number} seq
 * @param {Text} text
 * @param {number} length
 * @param {HTMLElement} pre
 * @returns {Entry}
 */
function newEntry(seq, text, length, pre) {
  return { seq, text, length, pre, media: null, canvas: null, url: null, head: null };
}
