// A WebSocket client the project did not write: Node's `ws` package.
// Usage: node ws_client.js URL
// Sends a text and a binary frame when open; prints one JSON line per event;
// closes with 4000 "node bye" when the server sends "close-me".
const WebSocket = require("ws");
const ws = new WebSocket(process.argv[2]);
const out = (event) => process.stdout.write(JSON.stringify(event) + "\n");
ws.on("open", () => {
  out({ event: "open" });
  ws.send("from node");
  ws.send(Buffer.from([0, 1, 2, 255]));
});
ws.on("message", (data, isBinary) => {
  if (isBinary) {
    out({ event: "binary", hex: Buffer.from(data).toString("hex") });
  } else {
    const text = data.toString("utf8");
    out({ event: "text", text });
    if (text === "close-me") ws.close(4000, "node bye");
  }
});
ws.on("unexpected-response", (req, res) => {
  out({ event: "refused", status: res.statusCode });
  process.exit(0);
});
ws.on("close", (code, reason) => out({ event: "close", code, reason: reason.toString() }));
ws.on("error", (err) => out({ event: "error", message: String(err.message) }));
