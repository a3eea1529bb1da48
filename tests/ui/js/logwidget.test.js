import assert from "node:assert/strict";
import { beforeEach, mock, test } from "node:test";

import { FakeModel, installDom } from "./dom.js";

installDom();
const { LogPage } = await import("../../../wsecho_widget/ui/js/logwidget.js");

let model;
let page;

beforeEach(() => {
  document.body.replaceChildren();
  const box = document.createElement("div");
  box.className = "wsecho-log";
  const el = document.createElement("div");
  box.appendChild(el);
  document.body.appendChild(box);
  model = new FakeModel();
  page = new LogPage(model, el);
});

const item = (seq) => ({ seq, text: `line ${seq}\n` });
const sync = (...seqs) => model.deliver({ kind: "reset", token: page.token, entries: seqs.map(item) });
const key = (name) => page.root.dispatchEvent(new KeyboardEvent("keydown", { key: name, bubbles: true }));

test("a new view asks for a snapshot and ignores updates until its snapshot comes", () => {
  assert.deepEqual(model.sent, [{ kind: "snapshot", token: page.token }]);
  model.deliver({ kind: "update", append: [item(1)] });
  model.deliver({ kind: "reset", token: "another-view", entries: [item(2)] });
  assert.equal(page.root.textContent, "");
  sync(3);
  model.deliver({ kind: "update", append: [item(4)] });
  assert.equal(page.root.textContent, "line 3\nline 4\n");
});

test("the log is one keyboard stop with an accessible name", () => {
  assert.equal(page.root.tabIndex, 0);
  assert.equal(page.root.getAttribute("role"), "log");
  assert.match(page.root.getAttribute("aria-label"), /arrow keys/);
});

test("arrow keys walk the entries and tell the kernel; Escape clears", () => {
  sync(1, 2, 3);
  model.sent.length = 0;
  key("ArrowUp"); // from nothing: the newest
  key("ArrowUp");
  key("ArrowUp");
  key("ArrowUp"); // stays at the oldest
  key("ArrowDown");
  assert.deepEqual(model.sent.map((m) => m.seq), [3, 2, 1, 2]);
  assert.equal(page.root.dataset.selected, "2");
  key("Escape");
  assert.deepEqual(model.sent.at(-1), { kind: "select", seq: null });
  assert.equal(page.root.dataset.selected, undefined);
});

test("a selection from the kernel is drawn, and follows its entry through trims", () => {
  sync(1, 2, 3);
  model.deliver({ kind: "selected", seq: 3 });
  assert.equal(page.root.dataset.selected, "3");
  assert.equal(page.selection.range.toString(), "line 3\n");
  model.deliver({ kind: "update", append: [item(4)], trim: 2 });
  assert.equal(page.selection.range.toString(), "line 3\n");
  model.deliver({ kind: "update", trim: 1 }); // it left the log
  assert.equal(page.root.dataset.selected, undefined);
});

test("a click on a medium selects its entry", () => {
  model.deliver(
    { kind: "reset", token: page.token, entries: [item(1), { seq: 2, text: "s\n", media: "audio/wav", buffer: 0 }] },
    [new Uint8Array([1, 2]).buffer],
  );
  page.root.querySelector("audio").dispatchEvent(new MouseEvent("click", { bubbles: true }));
  assert.deepEqual(model.sent.at(-1), { kind: "select", seq: 2 });
});

test("disposing lets go of the entries and stops listening", () => {
  sync(1);
  page.dispose();
  assert.equal(model.handlers.size, 0);
  assert.equal(document.querySelector(".wsecho-entries"), null);
});

test("the keys the log handles stay its own, not the notebook's shortcuts", () => {
  sync(1, 2);
  assert.equal(page.root.dataset.lmSuppressShortcuts, "true");
  let reached = 0;
  document.body.addEventListener("keydown", () => reached++);
  key("ArrowUp");
  key("x"); // not the log's: it goes on
  assert.equal(reached, 1);
});

test("once the person drags the log's corner, the default height cap goes", async () => {
  const box = page.el.closest(".wsecho-log");
  box.style.maxHeight = "60vh"; // the panel's default
  sync(1);
  box.style.overflow = "auto"; // another style change: the cap stays
  await new Promise((resolve) => setTimeout(resolve, 0));
  assert.equal(box.style.maxHeight, "60vh");
  box.style.height = "900px"; // what CSS resize sets while dragging
  await new Promise((resolve) => setTimeout(resolve, 0));
  assert.equal(box.style.maxHeight, "none");
  page.dispose();
});

test("scrolling the log colours the older lines an update left plain", async () => {
  globalThis.Highlight = class extends Set {};
  const had = globalThis.CSS;
  globalThis.CSS = { highlights: new Map() };
  globalThis.requestAnimationFrame ??= (f) => setTimeout(f, 0); // jsdom's lives on its window only
  try {
    const lines = Array.from({ length: 100 }, (_, seq) => ({ seq, text: `12:00:00.000 ← in ${seq}\n` }));
    model.deliver({ kind: "reset", token: page.token, entries: lines });
    const heads = () => CSS.highlights.get("wsecho-received").size;
    assert.equal(heads(), 64);
    page.el.closest(".wsecho-log").dispatchEvent(new Event("scroll"));
    await new Promise((resolve) => setTimeout(resolve, 10));
    assert.equal(heads(), 100);
  } finally {
    page.dispose();
    delete globalThis.Highlight;
    globalThis.CSS = had;
  }
});

test("a flood's or a media stream's lines get their colour when it stops; a few lines at once", async () => {
  const { FLOOD_GAP, FLOOD_LINES, STILL } = await import("../../../wsecho_widget/ui/js/logwidget.js");
  globalThis.Highlight = class extends Set {};
  const had = globalThis.CSS;
  globalThis.CSS = { highlights: new Map() };
  mock.timers.enable({ apis: ["setTimeout"] });
  let clock = 0;
  page.now = () => clock;
  try {
    const line = (seq) => ({ seq, text: `12:00:00.000 ← in ${seq}\n` });
    const lines = (from, count) => Array.from({ length: count }, (_, i) => line(from + i));
    const coloured = () => page.list.entries.filter((entry) => entry.head !== null).map((entry) => entry.seq);
    model.deliver({ kind: "reset", token: page.token, entries: [] });
    model.deliver({ kind: "update", append: lines(0, 200), trim: 0 });
    assert.equal(coloured().length, 64); // the first of a burst: at once
    clock += FLOOD_GAP / 2;
    model.deliver({ kind: "update", append: lines(200, 200), trim: 200 });
    assert.deepEqual(coloured(), []); // a flood's: plain while it lasts
    clock += FLOOD_GAP / 2;
    model.deliver({ kind: "update", append: lines(400, 200), trim: 200 });
    mock.timers.tick(STILL - 1);
    assert.deepEqual(coloured(), []);
    mock.timers.tick(1); // still for STILL ms: the newest get their colour
    assert.deepEqual(coloured(), lines(536, 64).map((item) => item.seq));
    clock += FLOOD_GAP / 2;
    model.deliver({ kind: "update", append: lines(600, FLOOD_LINES), trim: FLOOD_LINES });
    assert.equal(coloured().at(-1), 600 + FLOOD_LINES - 1); // a few lines, as a feed brings: at once
    clock += FLOOD_GAP + 1;
    model.deliver({ kind: "update", append: lines(700, 200), trim: 200 });
    assert.equal(coloured().at(-1), 899); // after a pause, a whole screen too
    // A stream of media: its lines wait like a flood's, however few.
    const sound = (seq) => ({ seq, text: `12:00:00.000 ← sound ${seq}\n`, media: "audio/wav", buffer: 0 });
    const wav = new Uint8Array([82, 73, 70, 70]).buffer;
    clock += FLOOD_GAP + 1;
    model.deliver({ kind: "update", append: [sound(900)], trim: 1 }, [wav]);
    assert.equal(coloured().at(-1), 900); // the first: at once
    clock += FLOOD_GAP / 2;
    model.deliver({ kind: "update", append: [sound(901)], trim: 1 }, [wav]);
    assert.equal(coloured().at(-1), 900); // the next one soon after: plain for now
    mock.timers.tick(STILL);
    assert.equal(coloured().at(-1), 901);
  } finally {
    page.dispose();
    mock.timers.reset();
    delete globalThis.Highlight;
    globalThis.CSS = had;
  }
});

test("scrolling during a flood leaves its pace alone: the next update still waits", async () => {
  const { FLOOD_GAP, STILL } = await import("../../../wsecho_widget/ui/js/logwidget.js");
  globalThis.Highlight = class extends Set {};
  const had = globalThis.CSS;
  globalThis.CSS = { highlights: new Map() };
  const hadFrame = globalThis.requestAnimationFrame;
  mock.timers.enable({ apis: ["setTimeout"] });
  globalThis.requestAnimationFrame = (f) => setTimeout(f, 1);
  let clock = 0;
  page.now = () => clock;
  try {
    const lines = (from, count) =>
      Array.from({ length: count }, (_, i) => ({ seq: from + i, text: `12:00:00.000 ← in ${from + i}\n` }));
    const coloured = () => page.list.entries.filter((entry) => entry.head !== null).map((entry) => entry.seq);
    model.deliver({ kind: "reset", token: page.token, entries: [] });
    model.deliver({ kind: "update", append: lines(0, 200), trim: 0 });
    clock += FLOOD_GAP / 2;
    model.deliver({ kind: "update", append: lines(200, 200), trim: 200 }); // a flood's: waits
    page.el.closest(".wsecho-log").dispatchEvent(new Event("scroll"));
    mock.timers.tick(1); // the scroll's frame colours what is there
    assert.equal(coloured().at(-1), 399);
    clock += FLOOD_GAP / 2;
    model.deliver({ kind: "update", append: lines(400, 200), trim: 200 });
    assert.deepEqual(coloured(), []); // still the flood's pace: plain for now
    mock.timers.tick(STILL);
    assert.equal(coloured().at(-1), 599);
    clock += FLOOD_GAP / 2;
    model.deliver({ kind: "update", append: lines(600, 200), trim: 200 }); // waits again
    page.el.closest(".wsecho-log").dispatchEvent(new Event("scroll"));
    mock.timers.tick(1);
    let late = false;
    page.list.colourNewest = () => (late = true);
    page.dispose(); // the colouring it still had due goes with it
    mock.timers.runAll();
    assert.equal(late, false);
  } finally {
    page.dispose();
    mock.timers.reset();
    globalThis.requestAnimationFrame = hadFrame;
    delete globalThis.Highlight;
    globalThis.CSS = had;
  }
});
