import assert from "node:assert/strict";
import { test } from "node:test";

import { installDom } from "./dom.js";

installDom();
const { MAX_CHILDREN, jsonTree } = await import("../../../wsecho_widget/ui/js/jsontree.js");
const { hexDump, hexPairs } = await import("../../../wsecho_widget/ui/js/hexdump.js");

test("a node's children are built when it is first opened, once", () => {
  const tree = jsonTree({ a: { b: [1, "two", null, false] } });
  const inner = tree.querySelector(".wsecho-json-children details");
  assert.equal(inner.querySelector(".wsecho-json-children"), null);
  inner.open = true;
  inner.dispatchEvent(new window.Event("toggle"));
  inner.dispatchEvent(new window.Event("toggle"));
  assert.equal(inner.querySelectorAll(":scope > .wsecho-json-children").length, 1);
  assert.match(inner.textContent, /b: \[4\]/);
});

test("scalars keep their JSON spelling and a class for their type; text stays text", () => {
  const tree = jsonTree(["<img src=x>", 1.5, true, null]);
  const leaves = [...tree.querySelectorAll(".wsecho-json-leaf span:last-child")];
  assert.deepEqual(leaves.map((s) => [s.className, s.textContent]), [
    ["wsecho-json-string", '"<img src=x>"'],
    ["wsecho-json-number", "1.5"],
    ["wsecho-json-boolean", "true"],
    ["wsecho-json-null", "null"],
  ]);
  assert.equal(tree.querySelector("img"), null);
});

test("a huge array shows its first children and how many more", () => {
  const tree = jsonTree(Array.from({ length: MAX_CHILDREN + 20 }, (_, i) => i));
  assert.equal(tree.querySelectorAll(".wsecho-json-leaf").length, MAX_CHILDREN);
  assert.equal(tree.querySelector(".wsecho-json-more").textContent, "… 20 more");
});

test("hex for the clipboard is pairs, the dump pads its last line", () => {
  assert.equal(hexPairs(new Uint8Array([0, 255, 16])), "00 ff 10");
  assert.equal(hexDump(new Uint8Array([65])), `00000000  41${" ".repeat(47)} |A|`);
  assert.equal(hexDump(new Uint8Array(0)), "");
});
