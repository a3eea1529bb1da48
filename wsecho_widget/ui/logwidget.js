// The panel's log in the page: text lines and media, kept in step with the kernel.
//
// The kernel sends what changed, as custom messages (see logwidget.py):
//   {kind: "update", drop: [[seq, text]...], append: [item...], trim: n}
//   {kind: "reset", token, entries: [item...]}   (token: the view that asked, or null: all)
// where item = {seq, text, media?, buffer?, size?, animated?, keep?}; a medium's bytes come once, as a
// binary buffer. Text is only ever set as text, never parsed as HTML. Each medium
// gets one element (a canvas for a still picture; <img>, <audio> or <video> with one
// blob URL otherwise), emptied and its URL revoked when the medium leaves the log or
// the view goes away, so the page lets go of its memory.

function mediaElement(type, url, size) {
  const kind = type.split("/")[0];
  const node = document.createElement(kind === "image" ? "img" : kind);
  node.className = `wsecho-media wsecho-${kind}`;
  if (kind === "image") {
    node.alt = type;
    node.decoding = "async";
    if (size) {
      // Known before decoding (the kernel read the header): no relayout when it decodes.
      node.width = size[0];
      node.height = size[1];
    }
  } else {
    node.controls = true; // a log is no place for autoplay
    node.autoplay = false;
    node.preload = "metadata";
  }
  node.src = url;
  return node;
}

// A still picture is decoded once (off the main thread) and handed to a canvas: its
// decoded pixels are the canvas's and go when the canvas is emptied (an <img> leaves its decoded copy in the page's
// image cache long after it is removed: ~0.4 MB per picture, measured).
function stillPicture(entry, blob, size) {
  const canvas = document.createElement("canvas");
  canvas.className = "wsecho-image";
  const frame = document.createElement("div");
  frame.className = "wsecho-media wsecho-frame";
  frame.appendChild(canvas);
  frame.__wsechoCanvas = canvas; // for the view's observer (and the browser tests), attached or not
  entry.canvas = canvas;
  fit(frame, canvas, size);
  createImageBitmap(blob).then(
    (bitmap) => {
      if (entry.canvas === canvas) {
        // Resizing a canvas clears it and relays it out: only when the header lied.
        if (canvas.width !== bitmap.width || canvas.height !== bitmap.height) {
          fit(frame, canvas, [bitmap.width, bitmap.height]);
        }
        // The decoded bitmap becomes the canvas's picture without a copy (a 2D
        // context's drawImage copied it: ~5 points of main-thread time at 30/s).
        canvas.getContext("bitmaprenderer").transferFromImageBitmap(bitmap);
        canvas.dataset.drawn = "1";
      } else {
        bitmap.close();
      }
    },
    () => {
      if (entry.canvas === canvas) {
        fit(frame, canvas, [0, 0]);
        entry.text.data = entry.text.data.replace(/\n?$/, " (the page could not decode it)\n");
      }
    },
  );
  return frame;
}

// The frame keeps the picture's place (its size is known from the header before
// decoding: no relayout when it decodes) whether or not its canvas is attached.
function fit(frame, canvas, size) {
  const [width, height] = size ?? [0, 0];
  canvas.width = width;
  canvas.height = height;
  frame.style.width = `${width}px`;
  frame.style.aspectRatio = width && height ? `${width} / ${height}` : "";
}

function render({ model, el }) {
  const root = document.createElement("div");
  root.className = "wsecho-entries";
  el.appendChild(root);
  // Entries in the page, oldest first: {seq, text (a Text node), length (its part of a
  // shared node, or -1: the node is its own), pre, media, canvas, url}.
  let entries = [];
  const token = `${Date.now().toString(36)}-${Math.random().toString(36).slice(2)}`;
  let synced = false;

  // Only pictures in or near the log's view keep their canvas attached: each canvas
  // is a compositor layer of its own, and 20 of them made every frame's layerize and
  // commit steps cost ~10% of the page's main thread (measured). A picture out of
  // view keeps its place and its bitmap; its canvas comes back when it scrolls in.
  let observer = null;
  function onView(records) {
    for (const record of records) {
      const frame = record.target;
      const canvas = frame.__wsechoCanvas;
      if (canvas === undefined) continue;
      if (record.isIntersecting) {
        if (canvas.parentNode !== frame) frame.appendChild(canvas);
      } else if (canvas.parentNode === frame) {
        canvas.remove();
      }
    }
  }
  function watch(frame) {
    if (observer === null) {
      const box = el.closest(".wsecho-log");
      if (box === null) return; // not in the page yet: the canvas simply stays
      observer = new IntersectionObserver(onView, { root: box, rootMargin: "50% 0px" });
    }
    observer.observe(frame);
  }

  function release(entry) {
    if (entry.canvas !== null) {
      observer?.unobserve(entry.media);
      entry.canvas.getContext("bitmaprenderer")?.transferFromImageBitmap(null); // lets go of the bitmap
      entry.canvas.width = 0; entry.canvas.height = 0;
      entry.canvas.remove();
      entry.media.__wsechoCanvas = undefined;
      entry.canvas = null;
    }
    if (entry.media !== null) {
      entry.media.remove();
      if (entry.media.tagName === "AUDIO" || entry.media.tagName === "VIDEO") {
        entry.media.removeAttribute("src");
        entry.media.load(); // stops a playing medium and frees its decoder
      }
      entry.media = null;
    }
    if (entry.url !== null) {
      URL.revokeObjectURL(entry.url);
      entry.url = null;
    }
  }

  function textBlock() {
    const last = root.lastChild;
    if (last !== null && last.tagName === "PRE") return last;
    const pre = document.createElement("pre");
    pre.className = "wsecho-text";
    root.appendChild(pre);
    return pre;
  }

  function newEntry(seq, text, length, pre) {
    return { seq, text, length, pre, media: null, canvas: null, url: null };
  }

  // Lines of text only, in a row, share one Text node: a flood's render of 200 lines
  // is one node to lay out and one to remove, not 200 of each. An entry with a
  // medium has a node of its own (its text changes when the medium leaves).
  function append(items, buffers, reuse) {
    let run = [];
    const flush = () => {
      if (run.length === 0) return;
      const pre = textBlock();
      const text = document.createTextNode(run.map((item) => item.text).join(""));
      pre.appendChild(text);
      for (const item of run) entries.push(newEntry(item.seq, text, item.text.length, pre));
      run = [];
    };
    for (const item of items) {
      if (item.media === undefined && !item.keep) {
        run.push(item);
        continue;
      }
      flush();
      const pre = textBlock();
      const text = document.createTextNode(item.text);
      pre.appendChild(text);
      const entry = newEntry(item.seq, text, -1, pre);
      const kept = item.keep ? reuse.get(item.seq) : undefined;
      if (kept !== undefined) {
        entry.media = kept.media;
        entry.canvas = kept.canvas;
        entry.url = kept.url;
        kept.media = null;
        kept.canvas = null;
        kept.url = null;
      } else if (buffers[item.buffer] !== undefined) {
        const blob = new Blob([buffers[item.buffer]], { type: item.media });
        if (item.media.startsWith("image/") && !item.animated) {
          entry.media = stillPicture(entry, blob, item.size);
        } else {
          entry.url = URL.createObjectURL(blob);
          entry.media = mediaElement(item.media, entry.url, item.size);
        }
      }
      if (entry.media !== null) root.appendChild(entry.media);
      if (entry.canvas !== null && kept === undefined) watch(entry.media);
      entries.push(entry);
    }
    flush();
  }

  // The oldest `count` entries leave (oldest first: a shared node loses its start).
  function trim(count) {
    const gone = entries.slice(0, count);
    entries = entries.slice(count);
    const cut = new Map(); // shared node -> characters to cut from its start
    for (const entry of gone) {
      release(entry);
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

  function update(msg, buffers) {
    if (msg.drop) {
      const changed = new Map(msg.drop);
      for (const entry of entries) {
        if (changed.has(entry.seq) && entry.length < 0) {
          release(entry);
          entry.text.data = changed.get(entry.seq);
        }
      }
    }
    if (msg.append) append(msg.append, buffers, new Map());
    if (msg.trim) trim(msg.trim);
  }

  function reset(items, buffers) {
    const old = entries;
    const reuse = new Map(old.filter((e) => e.media !== null).map((e) => [e.seq, e]));
    entries = [];
    root.replaceChildren();
    append(items, buffers, reuse);
    for (const entry of old) release(entry); // what was not reused
    // A log shown afresh (a new view, filter or resume) starts at its newest entry:
    // the end of the panel's column-reverse scroll box is scrollTop 0.
    const box = el.closest(".wsecho-log");
    if (box !== null) box.scrollTop = 0;
  }

  function onMessage(msg, buffers) {
    if (msg.kind === "reset") {
      if (msg.token !== null ? msg.token !== token : !synced) return;
      synced = true;
      reset(msg.entries, buffers);
    } else if (msg.kind === "update" && synced) {
      update(msg, buffers);
    }
  }

  model.on("msg:custom", onMessage);
  // A new view (a re-run cell, a second view, a reloaded page) asks for what the
  // log shows now; until then, updates meant for the views already in step are ignored.
  model.send({ kind: "snapshot", token });
  return () => {
    model.off("msg:custom", onMessage);
    for (const entry of entries) release(entry);
    observer?.disconnect();
    entries = [];
    root.remove();
  };
}

export default { render };
