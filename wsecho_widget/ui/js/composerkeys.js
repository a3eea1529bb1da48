// @ts-check
// The composer's keys, which ipywidgets' Text and Textarea do not give the kernel:
// Up in the empty one-line input recalls earlier sends like a shell (Down goes back
// toward the newest), and Ctrl+Enter (Cmd+Enter on a Mac) sends the multi-line text.
// This view draws nothing: it listens on its send bar (protocol.js's ComposerRequest).

/** @typedef {import("./logwidget.js").Model} Model */

export class ComposerKeys {
  /**
   * @param {Model} model
   * @param {Element} bar the send bar the view sits in
   */
  constructor(model, bar) {
    this.model = model;
    this.bar = bar;
    this.onKey = this.onKey.bind(this);
    this.onInput = this.onInput.bind(this);
    // Keys typed in the bar are the bar's: Lumino's shortcuts (Ctrl+Enter runs the
    // cell) skip targets inside an element marked so.
    if (bar instanceof HTMLElement) bar.dataset.lmSuppressShortcuts = "true";
    // Capture: ipywidgets' inputs stop their keydown events from bubbling.
    bar.addEventListener("keydown", this.onKey, true);
    bar.addEventListener("input", this.onInput);
  }

  /** @param {Event} event */
  onKey(event) {
    const key = /** @type {KeyboardEvent} */ (event);
    const target = key.target;
    if (target instanceof HTMLTextAreaElement && target.closest(".wsecho-input-multiline")) {
      if (key.key === "Enter" && (key.ctrlKey || key.metaKey)) {
        key.preventDefault();
        key.stopPropagation(); // not the notebook's Ctrl+Enter (run the cell)
        this.model.send({ kind: "submit", text: target.value });
      }
      return;
    }
    if (!(target instanceof HTMLInputElement) || !target.closest(".wsecho-input")) return;
    const recalling = target.dataset.recalled === "1";
    const step = key.key === "ArrowUp" ? 1 : key.key === "ArrowDown" ? -1 : 0;
    if (step === 0 || key.altKey || key.ctrlKey || key.metaKey || key.shiftKey) return;
    if (target.value !== "" && !recalling) return; // the caret's keys, in a text being typed
    key.preventDefault();
    target.dataset.recalled = "1";
    this.model.send({ kind: "recall", step });
  }

  /** Typing ends a recall: Up and Down move the caret again. @param {Event} event */
  onInput(event) {
    if (event.target instanceof HTMLElement) delete event.target.dataset.recalled;
  }

  dispose() {
    this.bar.removeEventListener("keydown", this.onKey, true);
    this.bar.removeEventListener("input", this.onInput);
  }
}

/** @param {{model: Model, el: HTMLElement}} view */
function render({ model, el }) {
  // The widget manager puts the view in its bar after render returns: look for the
  // bar at each frame until it is there (a view never shown gives up after ~10 s).
  /** @type {ComposerKeys|null} */
  let keys = null;
  let frames = 600;
  const attach = () => {
    const bar = el.closest(".wsecho-sendbar");
    if (bar !== null) keys = new ComposerKeys(model, bar);
    else if (--frames > 0) requestAnimationFrame(attach);
  };
  attach();
  return () => {
    frames = 0;
    keys?.dispose();
  };
}

export default { render };
