/**
 * The whole environment an ffmpeg child gets. ffmpeg parses producer-controlled media, so it
 * must not hold the worker's secrets (KEY, ADMIN_KEY, database URIs): it inherits nothing.
 * PATH is a fixed system one (a wrapper script set as FFMPEG_PATH may need `env`); LC_ALL=C
 * keeps numbers in playlists written with a `.` whatever the host's locale.
 */
export const FFMPEG_ENV: Readonly<Record<string, string>> = Object.freeze({
  PATH: '/usr/local/bin:/usr/bin:/bin',
  LC_ALL: 'C',
});
