import assert from "node:assert/strict";
import { beforeEach, test } from "node:test";

import { installDom } from "./dom.js";

installDom();
const { EntryList } = await import("../../../wsecho_widget/ui/js/entries.js");

const watched = [];
const viewport = { watch: (frame) => watched.push(frame), unwatch: () => {} };
let root;
let list;

beforeEach(() => {
  root = document.createElement("div");
  document.body.replaceChildren(root);
  list = new EntryList(root, viewport);
});

const line = (seq) => ({ seq, text: `line ${seq}\n` });
const wav = (seq, buffer = 0) => ({ seq, text: `sound ${seq}\n`, media: "audio/wav", buffer });
const bytes = () => new Uint8Array([82, 73, 70, 70]).buffer;

test("a run of text lines shares one Text node, in order", () => {
  list.append([line(1), line(2), line(3)], [], new Map());
  assert.equal(root.textContent, "line 1\nline 2\nline 3\n");
  assert.equal(root.querySelectorAll("pre").length, 1);
  assert.equal(new Set(list.entries.map((e) => e.text)).size, 1);
});

test("an entry with a medium gets its own node and element, between runs", () => {
  list.append([line(1), wav(2), line(3)], [bytes()], new Map());
  assert.equal(root.textContent, "line 1\nsound 2\nline 3\n");
  const audio = root.querySelector("audio");
  assert.ok(audio.src.startsWith("blob:"));
  assert.equal(audio.controls, true);
  assert.equal(audio.autoplay, false);
  assert.equal(list.entries[1].length, -1);
});

test("trimming cuts the oldest lines from a shared node and removes emptied blocks", () => {
  list.append([line(1), line(2)], [], new Map());
  list.append([wav(3)], [bytes()], new Map());
  list.append([line(4)], [], new Map());
  list.trim(1);
  assert.equal(root.textContent, "line 2\nsound 3\nline 4\n");
  list.trim(2);
  assert.equal(root.textContent, "line 4\n");
  assert.equal(root.querySelector("audio"), null);
  assert.deepEqual(list.entries.map((e) => e.seq), [4]);
});

test("a dropped medium leaves: its element goes and its line gets the new text", () => {
  list.append([wav(1)], [bytes()], new Map());
  const entry = list.entries[0];
  list.update({ kind: "update", drop: [[1, "sound 1 (no longer shown)\n"]] }, []);
  assert.equal(root.querySelector("audio"), null);
  assert.equal(entry.url, null);
  assert.equal(root.textContent, "sound 1 (no longer shown)\n");
});

test("a reset keeps the element of a medium still shown, without its bytes again", () => {
  list.append([wav(1), wav(2)], [bytes(), bytes()], new Map());
  const second = root.querySelectorAll("audio")[1];
  list.reset([{ seq: 2, text: "sound 2\n", keep: true }, line(5)], []);
  const players = root.querySelectorAll("audio");
  assert.equal(players.length, 1);
  assert.equal(players[0], second);
  assert.equal(root.textContent, "sound 2\nline 5\n");
});

test("span and at map an entry to its characters and back, after trims too", () => {
  list.append([line(1), line(2), line(3)], [], new Map());
  list.trim(1);
  const [node, start, end] = list.span(list.find(3));
  assert.equal(node.data.slice(start, end), "line 3\n");
  assert.equal(list.at(node, start).seq, 3);
  assert.equal(list.at(node, start - 1).seq, 2);
  assert.equal(list.at(node, node.length).seq, 3); // the caret after the last character
  assert.equal(list.at(document.createTextNode("x"), 0), undefined);
});

test("clear lets go of every medium", () => {
  list.append([wav(1)], [bytes()], new Map());
  const entry = list.entries[0];
  list.clear();
  assert.equal(entry.media, null);
  assert.equal(entry.url, null);
  assert.equal(root.childNodes.length, 0);
});

test("each line's head (time and arrow) is a Range in its direction's highlight, kept right by trims", () => {
  // jsdom has Range but not the Custom Highlight API's registry: a Set is what it is.
  globalThis.Highlight = class extends Set {};
  const had = globalThis.CSS;
  globalThis.CSS = { highlights: new Map() };
  try {
    const sent = (seq) => ({ seq, text: `12:00:00.00${seq} → out ${seq}\n` });
    const got = (seq) => ({ seq, text: `c1   12:00:00.00${seq} ← in ${seq}\nsecond line\n` });
    list.append([sent(1), got(2), sent(3), wav(4)], [bytes()], new Map());
    list.colourNewest();
    const heads = (name) => [...CSS.highlights.get(name)].map((range) => range.toString()).sort();
    assert.deepEqual(heads("wsecho-sent"), ["12:00:00.001 →", "12:00:00.003 →"]);
    assert.deepEqual(heads("wsecho-received"), ["c1   12:00:00.002 ←"]);
    list.trim(1); // the shared node loses its start: the kept heads move with their text
    assert.deepEqual(heads("wsecho-sent"), ["12:00:00.003 →"]);
    assert.deepEqual(heads("wsecho-received"), ["c1   12:00:00.002 ←"]);
    list.update({ kind: "update", drop: [[4, "not a head\n"]] }, []);
    assert.deepEqual(heads("wsecho-received"), ["c1   12:00:00.002 ←"]); // no arrow: no head
    list.clear();
    assert.equal(CSS.highlights.get("wsecho-sent").size + CSS.highlights.get("wsecho-received").size, 0);
  } finally {
    delete globalThis.Highlight;
    globalThis.CSS = had;
  }
});

test("colourNewest colours the newest HEADS lines; colour(0) the rest, each once", async () => {
  const { HEADS } = await import("../../../wsecho_widget/ui/js/entries.js");
  globalThis.Highlight = class extends Set {};
  const had = globalThis.CSS;
  globalThis.CSS = { highlights: new Map() };
  try {
    const sent = (seq) => ({ seq, text: `12:00:00.000 → flood ${seq}\n` });
    list.append(Array.from({ length: HEADS + 36 }, (_, i) => sent(i)), [], new Map());
    const heads = () => [...(CSS.highlights.get("wsecho-sent") ?? [])];
    assert.equal(heads().length, 0); // appending colours nothing: the log says when
    list.colourNewest();
    assert.equal(heads().length, HEADS);
    assert.equal(list.entries[35].head, null);
    assert.equal(list.entries[36].head.toString(), "12:00:00.000 →");
    list.trim(10);
    list.colour(0); // what a scroll does: the older lines too, at their place after the trim
    assert.equal(heads().length, HEADS + 26);
    assert.ok(heads().every((range) => range.toString() === "12:00:00.000 →"));
    list.colour(0);
    assert.equal(heads().length, HEADS + 26); // never twice
  } finally {
    delete globalThis.Highlight;
    globalThis.CSS = had;
  }
});
