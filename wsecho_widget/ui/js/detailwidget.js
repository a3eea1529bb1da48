// @ts-check
// The detail view in the page: the selected log message whole (protocol.js's
// DetailMessage and MoreMessage; the page asks with DetailRequest). Its facts in one
// line, its panes as tabs (tree, decoded, text, hex, picture, player), and Copy,
// Resend, Edit, Save and Close. The first part of its bytes comes with it; "Show
// more" asks for the next part, Copy and Save for the rest.

import { hexPairs } from "./hexdump.js";
import { pane, panesOf, textOf } from "./views.js";

/** @typedef {import("./protocol.js").DetailMessage} DetailMessage */
/** @typedef {import("./protocol.js").MoreMessage} MoreMessage */
/** @typedef {import("./logwidget.js").Model} Model */

const ARROWS = { sent: "→ sent", received: "← received" };

/**
 * A button with a label, a tooltip and a handler.
 * @param {string} label
 * @param {string} tip
 * @param {() => void} onClick
 */
function button(label, tip, onClick) {
  const node = document.createElement("button");
  node.type = "button";
  node.className = "wsecho-detail-action";
  node.textContent = label;
  node.title = tip;
  node.addEventListener("click", onClick);
  return node;
}

/**
 * @param {number} size
 * @returns {string}
 */
export function formatSize(size) {
  if (size < 1024) return `${size} B`;
  const units = ["KiB", "MiB", "GiB"];
  let value = size;
  let unit = "B";
  for (const next of units) {
    value /= 1024;
    unit = next;
    if (value < 1024) break;
  }
  return `${value.toFixed(1)} ${unit}`;
}

/**
 * The facts line: "← received · 12:00:01.234 · 1.2 KiB · JSON · #42 · c1".
 * @param {DetailMessage} detail
 */
export function facts(detail) {
  const parts = [
    ARROWS[/** @type {"sent"|"received"} */ (detail.direction)] ?? "",
    detail.time ?? "",
    formatSize(detail.size ?? 0),
    detail.label ?? "",
    `#${detail.seq}`,
  ];
  if (detail.origin) parts.push(detail.origin);
  return parts.join(" · ");
}

export class DetailPage {
  /**
   * @param {Model} model
   * @param {HTMLElement} el
   */
  constructor(model, el) {
    this.model = model;
    /** @type {DetailMessage|null} */
    this.detail = null;
    this.bytes = new Uint8Array(0);
    /** @type {string|null} */
    this.blobUrl = null;
    this.paneName = "";
    /** @type {(() => void)|null} waits for the rest of the bytes */
    this.pending = null;
    this.factsLine = document.createElement("span");
    this.resendButton = button("Resend", "Send the same payload again", () => this.ask("resend"));
    this.editButton = button("Edit", "Put the text in the composer to change and send", () => this.ask("edit"));
    this.tabs = document.createElement("div");
    this.body = document.createElement("div");
    this.foot = document.createElement("div");
    this.status = document.createElement("span");
    this.root = this.build();
    el.appendChild(this.root);
    this.onMessage = this.onMessage.bind(this);
    model.on("msg:custom", this.onMessage);
    model.send({ kind: "detail?" }); // a new view asks for the selection shown now
  }

  build() {
    const root = document.createElement("section");
    root.className = "wsecho-detail";
    root.setAttribute("aria-label", "Selected message");
    root.hidden = true;
    this.factsLine.className = "wsecho-detail-facts";
    const actions = document.createElement("span");
    actions.className = "wsecho-detail-actions";
    actions.append(
      button("Copy", "Copy the exact text (hex for binary) to the clipboard", () => this.copy()),
      this.resendButton,
      this.editButton,
      button("Save", "Save the payload's bytes to a file", () => this.save()),
    );
    const close = button("×", "Close (Esc)", () => this.model.send({ kind: "select", seq: null }));
    close.setAttribute("aria-label", "Close the detail view");
    actions.append(close);
    const head = document.createElement("div");
    head.className = "wsecho-detail-head";
    head.append(this.factsLine, actions);
    this.tabs.className = "wsecho-detail-tabs";
    this.tabs.setAttribute("role", "tablist");
    this.tabs.setAttribute("aria-label", "Show the message as");
    this.body.className = "wsecho-detail-body";
    this.body.setAttribute("role", "tabpanel");
    this.body.tabIndex = 0;
    this.foot.className = "wsecho-detail-foot";
    this.status.setAttribute("role", "status");
    root.append(head, this.tabs, this.body, this.foot, this.status);
    root.dataset.lmSuppressShortcuts = "true"; // Escape is the view's, not the notebook's
    root.addEventListener("keydown", (event) => {
      if (event.key !== "Escape") return;
      event.stopPropagation();
      this.model.send({ kind: "select", seq: null });
    });
    return root;
  }

  get complete() {
    return this.detail !== null && this.bytes.length >= (this.detail.size ?? 0);
  }

  /**
   * @param {DetailMessage|MoreMessage} msg
   * @param {ArrayLike<ArrayBuffer|DataView>} buffers
   */
  onMessage(msg, buffers) {
    const part = buffers.length > 0 ? toBytes(buffers[0]) : new Uint8Array(0);
    if (msg.kind === "detail") {
      this.show(msg.seq === null ? null : msg, part);
    } else if (msg.kind === "more" && this.detail?.seq === msg.seq && msg.offset === this.bytes.length) {
      const bytes = new Uint8Array(this.bytes.length + part.length);
      bytes.set(this.bytes);
      bytes.set(part, this.bytes.length);
      this.bytes = bytes;
      this.revoke();
      this.draw();
      const pending = this.complete ? this.pending : null;
      this.pending = null;
      pending?.();
    }
  }

  /**
   * @param {DetailMessage|null} detail
   * @param {Uint8Array} bytes
   */
  show(detail, bytes) {
    const same = detail !== null && this.detail?.seq === detail.seq;
    this.detail = detail;
    this.bytes = bytes;
    this.pending = null;
    this.revoke();
    this.status.textContent = "";
    this.root.hidden = detail === null;
    if (detail === null) {
      this.body.replaceChildren();
      return;
    }
    if (!same) this.paneName = "";
    this.factsLine.textContent = facts(detail);
    this.factsLine.dataset.direction = detail.direction ?? "";
    this.resendButton.hidden = !detail.resend;
    this.editButton.hidden = !detail.edit;
    this.draw();
  }

  /** The tabs, the chosen pane and the footer, from the bytes the page has. */
  draw() {
    if (this.detail === null) return;
    const shown = { detail: this.detail, bytes: this.bytes, complete: this.complete, url: () => this.url() };
    const names = panesOf(shown);
    if (!names.includes(this.paneName)) this.paneName = names[0] ?? "Text";
    this.tabs.replaceChildren(...names.map((name) => this.tab(name)));
    this.body.replaceChildren(pane(this.paneName, shown));
    this.drawFoot();
  }

  /** @param {string} name */
  tab(name) {
    const tab = button(name, `Show the message as ${name.toLowerCase()}`, () => {
      this.paneName = name;
      this.draw();
    });
    tab.setAttribute("role", "tab");
    tab.setAttribute("aria-selected", String(name === this.paneName));
    tab.className = "wsecho-detail-tab";
    return tab;
  }

  drawFoot() {
    this.foot.replaceChildren();
    if (this.detail === null || this.complete) return;
    const size = this.detail.size ?? 0;
    const note = document.createElement("span");
    note.textContent = `Showing the first ${formatSize(this.bytes.length)} of ${formatSize(size)}. `;
    const more = button("Show more", "Get the next part of the message", () =>
      this.model.send({ kind: "more?", seq: this.detail?.seq ?? null, offset: this.bytes.length }),
    );
    this.foot.append(note, more);
  }

  /** @param {"resend"|"edit"} kind */
  ask(kind) {
    if (this.detail !== null) this.model.send({ kind, seq: this.detail.seq });
  }

  /**
   * Runs `then` once the page has every byte (asking the kernel for the rest).
   * @param {() => void} then
   */
  whenComplete(then) {
    if (this.detail === null) return;
    if (this.complete) {
      then();
      return;
    }
    this.pending = then;
    this.status.textContent = "Getting the rest of the message…";
    this.model.send({ kind: "more?", seq: this.detail.seq, offset: this.bytes.length, all: true });
  }

  copy() {
    this.whenComplete(() => {
      const text = this.detail?.type === "text" ? textOf(this.bytes) : hexPairs(this.bytes);
      navigator.clipboard.writeText(text).then(
        () => (this.status.textContent = `Copied ${formatSize(text.length)}.`),
        (error) => (this.status.textContent = `Could not copy: ${error.message ?? error}`),
      );
    });
  }

  save() {
    this.whenComplete(() => {
      const link = document.createElement("a");
      link.href = this.url();
      link.download = fileName(/** @type {DetailMessage} */ (this.detail));
      link.click();
      this.status.textContent = `Saved as ${link.download}.`;
    });
  }

  url() {
    if (this.blobUrl === null) {
      const type = this.detail?.media ?? (this.detail?.type === "text" ? "text/plain" : "application/octet-stream");
      this.blobUrl = URL.createObjectURL(new Blob([this.bytes], { type }));
    }
    return this.blobUrl;
  }

  revoke() {
    if (this.blobUrl !== null) URL.revokeObjectURL(this.blobUrl);
    this.blobUrl = null;
  }

  dispose() {
    this.model.off("msg:custom", this.onMessage);
    this.revoke();
    this.root.remove();
  }
}

/**
 * "message-42.json", "message-43.png", "message-44.bin".
 * @param {DetailMessage} detail
 */
export function fileName(detail) {
  const media = detail.media?.split("/")[1];
  const ext = media ?? (detail.label === "JSON" ? "json" : detail.type === "text" ? "txt" : "bin");
  return `message-${detail.seq}.${ext}`;
}

/** @param {ArrayBuffer|DataView} buffer */
function toBytes(buffer) {
  return buffer instanceof DataView
    ? new Uint8Array(buffer.buffer, buffer.byteOffset, buffer.byteLength)
    : new Uint8Array(buffer);
}

/** @param {{model: Model, el: HTMLElement}} view */
function render({ model, el }) {
  const page = new DetailPage(model, el);
  return () => page.dispose();
}

export default { render };
