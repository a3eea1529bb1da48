import assert from "node:assert/strict";
import { beforeEach, test } from "node:test";

import { FakeModel, installDom } from "./dom.js";

installDom();
const { DetailPage, facts, fileName, formatSize } = await import("../../../wsecho_widget/ui/js/detailwidget.js");

let model;
let page;

beforeEach(() => {
  document.body.replaceChildren();
  model = new FakeModel();
  page = new DetailPage(model, document.body);
});

const encode = (text) => new TextEncoder().encode(text).buffer;
const json = '{"user": {"name": "ada", "tags": [1, 2]}, "ok": true}';
const detail = (extra) => ({ kind: "detail", seq: 7, direction: "received", time: "2026-12-06 07:00:00.123 +0000", ...extra });
const tabs = () => [...page.tabs.querySelectorAll("[role=tab]")].map((t) => t.textContent);

test("a new view asks for the selection, and stays hidden with none", () => {
  assert.deepEqual(model.sent, [{ kind: "detail?" }]);
  assert.equal(page.root.hidden, true);
  model.deliver({ kind: "detail", seq: null });
  assert.equal(page.root.hidden, true);
});

test("a JSON message shows its facts and a tree first, its exact text a tab away", () => {
  model.deliver(detail({ size: json.length, type: "text", label: "JSON", shown: json.length, resend: true }), [encode(json)]);
  assert.equal(page.root.hidden, false);
  assert.equal(page.factsLine.textContent, `← received · 2026-12-06 07:00:00.123 +0000 · ${json.length} B · JSON · #7`);
  assert.deepEqual(tabs(), ["Tree", "Text"]);
  const root = page.body.querySelector("details");
  assert.equal(root.open, true);
  assert.match(page.body.textContent, /user: \{2\}/);
  const user = page.body.querySelector(".wsecho-json-children details");
  assert.equal(user.open, false);
  assert.equal(user.querySelector(".wsecho-json-children"), null); // built when opened
  page.tabs.querySelectorAll("[role=tab]")[1].click();
  assert.equal(page.body.textContent, json);
  assert.equal(page.tabs.querySelector("[aria-selected=true]").textContent, "Text");
});

test("a binary frame shows a hex dump with offsets and ASCII, and its decoded view", () => {
  const bytes = new Uint8Array([0x81, 0xa1, 0x61, 0x01, ...new TextEncoder().encode("hello, world!!")]);
  model.deliver(detail({ size: bytes.length, type: "binary", label: "binary", decoded: '{"a": 1}', decoder: "msgpack" }), [bytes.buffer]);
  assert.deepEqual(tabs(), ["Decoded", "Hex"]);
  page.tabs.querySelectorAll("[role=tab]")[1].click();
  const lines = page.body.textContent.split("\n");
  assert.equal(lines[0], "00000000  81 a1 61 01 68 65 6c 6c  6f 2c 20 77 6f 72 6c 64  |..a.hello, world|");
  assert.equal(lines[1].slice(0, 15), "00000010  21 21");
  assert.match(lines[1], /\|!!\|$/);
});

test("a long message shows its first part, and Show more asks for the next from where it ends", () => {
  model.deliver(detail({ size: 10, type: "text", label: "text" }), [encode("0123")]);
  assert.match(page.foot.textContent, /Showing the first 4 B of 10 B/);
  page.foot.querySelector("button").click();
  assert.deepEqual(model.sent.at(-1), { kind: "more?", seq: 7, offset: 4 });
  model.deliver({ kind: "more", seq: 7, offset: 4 }, [encode("456789")]);
  assert.equal(page.body.textContent, "0123456789");
  assert.equal(page.foot.textContent, "");
  model.deliver({ kind: "more", seq: 7, offset: 4 }, [encode("xx")]); // not where it ends: ignored
  assert.equal(page.body.textContent, "0123456789");
});

test("Copy of a long message first asks for the rest, then copies the exact text", async () => {
  const copied = [];
  Object.defineProperty(window.navigator, "clipboard", { value: { writeText: async (t) => copied.push(t) }, configurable: true });
  globalThis.navigator = window.navigator;
  model.deliver(detail({ size: 6, type: "text", label: "text" }), [encode("héll")]);
  [...page.root.querySelectorAll("button")].find((b) => b.textContent === "Copy").click();
  assert.deepEqual(model.sent.at(-1), { kind: "more?", seq: 7, offset: 5, all: true });
  assert.deepEqual(copied, []);
  model.deliver({ kind: "more", seq: 7, offset: 5 }, [encode("o")]);
  await new Promise((resolve) => setTimeout(resolve, 0));
  assert.deepEqual(copied, ["héllo"]);
  assert.match(page.status.textContent, /Copied/);
});

test("Resend, Edit and Close ask the kernel; Resend is hidden when the panel cannot", () => {
  model.deliver(detail({ size: 1, type: "text", label: "text", resend: false, edit: true }), [encode("x")]);
  const buttons = Object.fromEntries([...page.root.querySelectorAll("button")].map((b) => [b.textContent, b]));
  assert.equal(buttons.Resend.hidden, true);
  buttons.Edit.click();
  assert.deepEqual(model.sent.at(-1), { kind: "edit", seq: 7 });
  buttons.Resend.click();
  assert.deepEqual(model.sent.at(-1), { kind: "resend", seq: 7 });
  assert.equal(buttons["×"].getAttribute("aria-label"), "Close the detail view");
  page.root.dispatchEvent(new KeyboardEvent("keydown", { key: "Escape", bubbles: true }));
  assert.deepEqual(model.sent.at(-1), { kind: "select", seq: null });
});

test("file names, sizes and the facts line read the way the log does", () => {
  assert.equal(fileName({ kind: "detail", seq: 3, media: "image/png" }), "message-3.png");
  assert.equal(fileName({ kind: "detail", seq: 4, label: "JSON", type: "text" }), "message-4.json");
  assert.equal(fileName({ kind: "detail", seq: 5, type: "binary" }), "message-5.bin");
  assert.equal(formatSize(1536), "1.5 KiB");
  assert.equal(formatSize(16 * 1024 * 1024), "16.0 MiB");
  assert.equal(facts({ kind: "detail", seq: 1, direction: "sent", time: "t", size: 2, label: "text", origin: "c1" }), "→ sent · t · 2 B · text · #1 · c1");
});
