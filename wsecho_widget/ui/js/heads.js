// @ts-check
// Sent and received told apart by colour: each entry's head (its time and arrow, and a
// server panel's client before them) is a Range in the named highlight "wsecho-sent"
// or "wsecho-received" (CSS Custom Highlight API, as the selection): no element is
// added or split, so a flood's run of lines stays one Text node. The Ranges are live:
// trimming the start of a shared node moves the kept ones with their text.

/**
 * The page's highlight `name`, shared by every log view (null without the API: jsdom).
 * @param {string} name
 * @param {number} [priority] drawn over highlights of a lower priority
 * @returns {Set<Range>|null}
 */
export function sharedHighlight(name, priority = 0) {
  const registry = typeof CSS !== "undefined" ? /** @type {any} */ (CSS).highlights : undefined;
  if (registry === undefined || typeof Highlight === "undefined") return null;
  let highlight = registry.get(name);
  if (highlight === undefined) {
    highlight = new Highlight();
    highlight.priority = priority;
    registry.set(name, highlight);
  }
  return /** @type {Set<Range>} */ (highlight);
}

/** The head ends with the line's first arrow (→ sent, ← received) in its first 40 characters. */
const ARROW = /^[^\n→←]{0,40}[→←]/;

/**
 * A Range over the head of the line that starts at `start` in `text` (null: none, or no API).
 * @param {Text} text
 * @param {number} start
 * @param {string} line
 * @returns {Range|null}
 */
export function headRange(text, start, line) {
  const head = ARROW.exec(line);
  if (head === null) return null;
  const highlight = sharedHighlight(head[0].endsWith("→") ? "wsecho-sent" : "wsecho-received");
  if (highlight === null) return null;
  const range = document.createRange();
  range.setStart(text, start);
  range.setEnd(text, start + head[0].length);
  highlight.add(range);
  return range;
}

/**
 * Lets go of an entry's head Range.
 * @param {{head: Range|null}} entry
 */
export function dropHead(entry) {
  if (entry.head === null) return;
  sharedHighlight("wsecho-sent")?.delete(entry.head);
  sharedHighlight("wsecho-received")?.delete(entry.head);
  entry.head = null;
}
