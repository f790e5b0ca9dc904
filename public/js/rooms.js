// `/` — the rooms of this server, each linking to its viewer page.
const list = document.querySelector('#rooms');
const problem = document.querySelector('#problem');

async function load() {
  const response = await fetch('/api/v1/rooms');
  const body = await response.json();
  if (!response.ok) throw new Error(body.error?.message ?? String(response.status));
  if (body.data.length === 0) {
    list.replaceChildren(Object.assign(document.createElement('li'), { textContent: 'No rooms yet.' }));
    return;
  }
  list.replaceChildren(
    ...body.data.map((room) => {
      const item = document.createElement('li');
      const link = Object.assign(document.createElement('a'), { href: `/watch/${encodeURIComponent(room.name)}`, textContent: room.name });
      const info = Object.assign(document.createElement('span'), {
        className: 'room-info',
        textContent: ` ${room.live ? 'LIVE' : 'offline'} · ${room.viewers ?? room.clients} watching`,
      });
      item.append(link, info);
      return item;
    }),
  );
}

load().catch((error) => {
  problem.textContent = `Could not load the rooms: ${error.message}`;
});
setInterval(() => load().catch(() => undefined), 10000);
