// @ts-check
// A collapsible JSON tree: <details> elements (keyboard- and screen-reader-friendly
// as they are), each node's children built when it is first opened, at most
// MAX_CHILDREN of them, so a huge document costs the page only what is opened.

export const MAX_CHILDREN = 500;

/**
 * The tree of a parsed JSON value; the root starts open.
 * @param {unknown} value
 * @returns {HTMLElement}
 */
export function jsonTree(value) {
  const root = document.createElement("div");
  root.className = "wsecho-json";
  root.appendChild(jsonNode(value, null, true));
  return root;
}

/**
 * One node: a leaf for a scalar, a <details> for an object or array.
 * @param {unknown} value
 * @param {string|null} key its key (or index) in its parent
 * @param {boolean} open
 * @returns {HTMLElement}
 */
export function jsonNode(value, key, open = false) {
  if (value === null || typeof value !== "object") {
    const leaf = document.createElement("div");
    leaf.className = "wsecho-json-leaf";
    if (key !== null) leaf.appendChild(keyLabel(key));
    const scalar = document.createElement("span");
    scalar.className = `wsecho-json-${value === null ? "null" : typeof value}`;
    scalar.textContent = JSON.stringify(value);
    leaf.appendChild(scalar);
    return leaf;
  }
  const details = document.createElement("details");
  const summary = document.createElement("summary");
  if (key !== null) summary.appendChild(keyLabel(key));
  const count = Array.isArray(value) ? value.length : Object.keys(value).length;
  summary.append(Array.isArray(value) ? `[${count}]` : `{${count}}`);
  details.appendChild(summary);
  const fill = () => {
    if (details.childElementCount > 1) return;
    appendChildren(details, /** @type {Record<string, unknown>} */ (value));
  };
  details.addEventListener("toggle", () => details.open && fill());
  if (open) {
    details.open = true;
    fill();
  }
  return details;
}

/**
 * @param {HTMLElement} details
 * @param {Record<string, unknown>|unknown[]} value
 */
function appendChildren(details, value) {
  const keys = Object.keys(value);
  const body = document.createElement("div");
  body.className = "wsecho-json-children";
  for (const key of keys.slice(0, MAX_CHILDREN)) {
    body.appendChild(jsonNode(/** @type {any} */ (value)[key], key));
  }
  if (keys.length > MAX_CHILDREN) {
    const more = document.createElement("div");
    more.className = "wsecho-json-more";
    more.textContent = `… ${(keys.length - MAX_CHILDREN).toLocaleString("en")} more`;
    body.appendChild(more);
  }
  details.appendChild(body);
}

/** @param {string} key */
function keyLabel(key) {
  const span = document.createElement("span");
  span.className = "wsecho-json-key";
  span.textContent = `${key}: `;
  return span;
}
