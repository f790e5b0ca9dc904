// The Socket.IO peer for the chat fan-out benchmark, as Socket.IO's docs show rooms: a client
// joins a room, and each message it sends is emitted to the others in the room.
// Usage: node socketioRooms.mjs PORT
import { createServer } from 'node:http';
import { Server } from 'socket.io';

const httpServer = createServer();
const io = new Server(httpServer, { perMessageDeflate: false, cors: { origin: '*' } });
io.on('connection', (socket) => {
  socket.on('join', (room) => socket.join(String(room)));
  socket.on('message', (room, text) => socket.to(String(room)).emit('message', text));
});
httpServer.listen(Number(process.argv[2]), () => process.stdout.write('ready\n'));
