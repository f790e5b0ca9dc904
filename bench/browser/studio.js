// Added before the real broadcast page (/broadcast/:room) loads, after clock.js: the page's
// camera is the clock canvas (with Chromium's fake microphone, so the stream has Opus audio as a
// real one does), and the times of the Go live click and of the page's LIVE state are noted in
// window.studioTimes, on the same clock the viewer's firstPlayingAt is read with.

window.studioTimes = { goLiveAt: null, liveAt: null };

const getUserMedia = navigator.mediaDevices.getUserMedia.bind(navigator.mediaDevices);
navigator.mediaDevices.getUserMedia = async (constraints) => {
  const audio = constraints.audio ? (await getUserMedia({ audio: true })).getAudioTracks() : [];
  return new MediaStream([...window.clockCanvasStream().getVideoTracks(), ...audio]);
};

document.addEventListener('click', (event) => event.target.id === 'start' && (window.studioTimes.goLiveAt = Date.now()), true);
document.addEventListener('DOMContentLoaded', () => {
  const state = document.querySelector('#state');
  new MutationObserver(() => {
    if (state.dataset.state === 'live') window.studioTimes.liveAt ??= Date.now();
  }).observe(state, { attributes: true, attributeFilter: ['data-state'] });
});
