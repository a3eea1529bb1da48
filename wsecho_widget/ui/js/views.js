// @ts-check
// The detail view's panes: each turns the selected message (its facts and the bytes
// the page has) into one element. Text is only ever set as text.

import { hexDump } from "./hexdump.js";
import { jsonTree } from "./jsontree.js";

/** @typedef {import("./protocol.js").DetailMessage} DetailMessage */
/** @typedef {{detail: DetailMessage, bytes: Uint8Array, complete: boolean, url: () => string}} Shown */

const decoder = new TextDecoder("utf-8");

/** @param {Uint8Array} bytes */
export function textOf(bytes) {
  return decoder.decode(bytes);
}

/**
 * The panes the message has, in the order their tabs show; the first is shown first.
 * @param {Shown} shown
 * @returns {string[]}
 */
export function panesOf(shown) {
  const { detail, complete } = shown;
  /** @type {string[]} */
  const panes = [];
  if (detail.media && complete) panes.push(detail.media.split("/")[0] === "image" ? "Picture" : "Player");
  if (detail.label === "JSON" && complete) panes.push("Tree");
  if (detail.decoded !== undefined) panes.push("Decoded");
  if (detail.type === "text") panes.push("Text");
  if (detail.type === "binary") panes.push("Hex");
  return panes;
}

/**
 * @param {string} text
 * @param {string} className
 */
function block(text, className) {
  const pre = document.createElement("pre");
  pre.className = className;
  pre.textContent = text;
  return pre;
}

/**
 * The element of pane `name`.
 * @param {string} name
 * @param {Shown} shown
 * @returns {HTMLElement}
 */
export function pane(name, shown) {
  const { detail, bytes } = shown;
  switch (name) {
    case "Tree":
      try {
        return jsonTree(JSON.parse(textOf(bytes)));
      } catch {
        return block("not JSON", "wsecho-detail-text");
      }
    case "Decoded":
      return block(detail.decoded ?? "", "wsecho-detail-text");
    case "Hex":
      return block(hexDump(bytes), "wsecho-detail-hex");
    case "Picture":
      return picture(shown);
    case "Player":
      return player(shown);
    default:
      return block(textOf(bytes), "wsecho-detail-text");
  }
}

/** @param {Shown} shown */
function picture(shown) {
  const figure = document.createElement("figure");
  figure.className = "wsecho-detail-figure";
  const img = document.createElement("img");
  img.src = shown.url();
  img.alt = `${shown.detail.label ?? "picture"} #${shown.detail.seq}`;
  const size = shown.detail.dimensions;
  if (size) {
    img.width = size[0]; // its own size: the page scrolls rather than scales it
    img.height = size[1];
  }
  const caption = document.createElement("figcaption");
  caption.textContent = size ? `${size[0]} × ${size[1]} px` : "";
  figure.append(img, caption);
  return figure;
}

/** @param {Shown} shown */
function player(shown) {
  const video = (shown.detail.media ?? "").startsWith("video/");
  const node = document.createElement(video ? "video" : "audio");
  node.controls = true;
  node.preload = "metadata";
  node.src = shown.url();
  node.setAttribute("aria-label", `${shown.detail.label} #${shown.detail.seq}`);
  return node;
}
