/**
 * The studio's media: which cameras and microphones there are, and one MediaStream for the
 * choice (a camera or the screen, and a microphone or none), with plain-language errors.
 */

export type VideoSource = 'camera' | 'screen';

export interface MediaChoice {
  readonly source: VideoSource;
  /** A camera's deviceId; '' for the browser's default. */
  readonly cameraId: string;
  /** A microphone's deviceId; '' for the default, 'none' for no sound. */
  readonly microphoneId: string;
}

export interface DeviceLists {
  readonly cameras: readonly MediaDeviceInfo[];
  readonly microphones: readonly MediaDeviceInfo[];
}

export const NO_MICROPHONE = 'none';

export function mediaSupported(): boolean {
  return typeof navigator.mediaDevices?.getUserMedia === 'function';
}

export function screenSupported(): boolean {
  return typeof navigator.mediaDevices?.getDisplayMedia === 'function';
}

/** The devices' labels are empty until the page was allowed to use one: list again after opening media. */
export async function listDevices(): Promise<DeviceLists> {
  const devices = await navigator.mediaDevices.enumerateDevices();
  return { cameras: devices.filter((d) => d.kind === 'videoinput'), microphones: devices.filter((d) => d.kind === 'audioinput') };
}

const CAMERA: MediaTrackConstraints = { width: { ideal: 1280 }, height: { ideal: 720 }, frameRate: { ideal: 30 } };

function plainError(error: unknown, what: string): Error {
  const name = error instanceof DOMException ? error.name : '';
  if (name === 'NotAllowedError') return new Error(`Access to the ${what} was refused: allow it in the browser's address bar, then choose it again`);
  if (name === 'NotFoundError' || name === 'OverconstrainedError') return new Error(`No ${what} was found: plug one in, or choose another`);
  if (name === 'NotReadableError') return new Error(`The ${what} is in use by another program, or the system blocks it`);
  return new Error(`The ${what} could not be opened: ${(error as Error).message}`);
}

/** Opens the chosen media; the caller stops the tracks of the stream it replaces. */
export async function openMedia(choice: MediaChoice): Promise<MediaStream> {
  if (!mediaSupported()) throw new Error('Camera access needs a secure page (https, or localhost)');
  const audio: MediaTrackConstraints | false = choice.microphoneId === NO_MICROPHONE ? false : choice.microphoneId ? { deviceId: { exact: choice.microphoneId } } : {};
  if (choice.source === 'screen') {
    let screen: MediaStream;
    try {
      screen = await navigator.mediaDevices.getDisplayMedia({ video: { frameRate: { ideal: 30 } }, audio: false });
    } catch (error) {
      throw plainError(error, 'screen');
    }
    if (audio === false) return screen;
    try {
      const microphone = await navigator.mediaDevices.getUserMedia({ audio });
      return new MediaStream([...screen.getVideoTracks(), ...microphone.getAudioTracks()]);
    } catch (error) {
      for (const track of screen.getTracks()) track.stop();
      throw plainError(error, 'microphone');
    }
  }
  try {
    return await navigator.mediaDevices.getUserMedia({ video: choice.cameraId ? { ...CAMERA, deviceId: { exact: choice.cameraId } } : CAMERA, audio });
  } catch (error) {
    throw plainError(error, audio === false ? 'camera' : 'camera or microphone');
  }
}

export function stopMedia(stream: MediaStream | null): void {
  for (const track of stream?.getTracks() ?? []) track.stop();
}
