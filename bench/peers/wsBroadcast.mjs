// The peer for the chat fan-out benchmark: a plain `ws` broadcast server as the ws README shows
// it (every message sent on to every other open client). Usage: node wsBroadcast.mjs PORT
import { WebSocketServer, WebSocket } from 'ws';

const wss = new WebSocketServer({ port: Number(process.argv[2]), perMessageDeflate: false });
wss.on('connection', (ws) => {
  ws.on('error', () => {});
  ws.on('message', (data, isBinary) => {
    wss.clients.forEach((client) => {
      if (client !== ws && client.readyState === WebSocket.OPEN) client.send(data, { binary: isBinary });
    });
  });
});
wss.on('listening', () => process.stdout.write('ready\n'));
