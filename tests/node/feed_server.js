// A feed server the project did not write, on Node's `ws` package.
// Usage: node feed_server.js VERSION   (prints {"port": N} once listening on 127.0.0.1)
// "ping" -> "pong"; {"op": "subscribe", "topic": T} -> subscribed (with a fresh id and ts),
// then two ticks; binary -> the bytes reversed. VERSION 2 changes the tick prices.
const WebSocket = require("ws");
const version = Number(process.argv[2] || "1");
const server = new WebSocket.Server({ host: "127.0.0.1", port: 0 }, () => {
  process.stdout.write(JSON.stringify({ port: server.address().port }) + "\n");
});
let ids = 0;
server.on("connection", (ws) => {
  ws.on("message", (data, isBinary) => {
    if (isBinary) {
      ws.send(Buffer.from(data).reverse(), { binary: true });
      return;
    }
    const text = data.toString("utf8");
    if (text === "ping") {
      ws.send("pong");
      return;
    }
    const request = JSON.parse(text);
    const ts = Date.now() / 1000;
    ws.send(JSON.stringify({ type: "subscribed", topic: request.topic, id: `node-${++ids}`, ts }));
    for (const n of [1, 2]) {
      ws.send(JSON.stringify({ type: "tick", topic: request.topic, n, price: 100 + n * version, ts }));
    }
  });
});
