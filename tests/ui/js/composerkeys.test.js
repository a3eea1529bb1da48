import assert from "node:assert/strict";
import { beforeEach, test } from "node:test";

import { FakeModel, installDom } from "./dom.js";

installDom();
const { ComposerKeys } = await import("../../../wsecho_widget/ui/js/composerkeys.js");

let model;
let input;
let area;

beforeEach(() => {
  document.body.innerHTML = `<div class="wsecho-sendbar">
    <div class="wsecho-input"><input type="text"></div>
    <div class="wsecho-input-multiline"><textarea></textarea></div></div>`;
  model = new FakeModel();
  new ComposerKeys(model, document.querySelector(".wsecho-sendbar"));
  input = document.querySelector("input");
  area = document.querySelector("textarea");
});

const press = (target, key, extra = {}) => {
  const event = new KeyboardEvent("keydown", { key, bubbles: true, cancelable: true, ...extra });
  target.dispatchEvent(event);
  return event;
};

test("Up in the empty input asks for the previous send, and Up again for the one before", () => {
  assert.equal(press(input, "ArrowUp").defaultPrevented, true);
  input.value = "third"; // what the kernel put there
  press(input, "ArrowUp");
  press(input, "ArrowDown");
  assert.deepEqual(model.sent, [
    { kind: "recall", step: 1 },
    { kind: "recall", step: 1 },
    { kind: "recall", step: -1 },
  ]);
});

test("in a text being typed the arrows move the caret, as ever", () => {
  input.value = "typing";
  input.dispatchEvent(new window.Event("input", { bubbles: true }));
  assert.equal(press(input, "ArrowUp").defaultPrevented, false);
  assert.deepEqual(model.sent, []);
});

test("Ctrl+Enter or Cmd+Enter sends the multi-line text; Enter alone is a new line", () => {
  area.value = "a\nb";
  assert.equal(press(area, "Enter").defaultPrevented, false);
  assert.equal(press(area, "Enter", { ctrlKey: true }).defaultPrevented, true);
  press(area, "Enter", { metaKey: true });
  assert.deepEqual(model.sent, [
    { kind: "submit", text: "a\nb" },
    { kind: "submit", text: "a\nb" },
  ]);
});
