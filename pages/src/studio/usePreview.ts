/**
 * The studio's media before and during a broadcast: the devices, the current choice and the
 * stream opened for it (opened again when the choice changes, the old tracks stopped then).
 */
import { useEffect, useRef, useState } from 'preact/hooks';
import { listDevices, mediaSupported, NO_MICROPHONE, openMedia, stopMedia, type DeviceLists, type MediaChoice } from './media.ts';

export interface Preview {
  readonly stream: MediaStream | null;
  readonly devices: DeviceLists;
  readonly choice: MediaChoice;
  readonly problem: string;
  choose(choice: MediaChoice): void;
}

const NO_DEVICES: DeviceLists = { cameras: [], microphones: [] };

/** Whether `stream` is what `choice` asks for already (the choice names the devices opened by default once they are known). */
function satisfies(stream: MediaStream, choice: MediaChoice): boolean {
  const video = stream.getVideoTracks()[0]?.getSettings();
  const audio = stream.getAudioTracks()[0]?.getSettings();
  const isScreen = video?.displaySurface !== undefined;
  if (isScreen !== (choice.source === 'screen')) return false;
  if (choice.source === 'camera' && choice.cameraId && video?.deviceId !== choice.cameraId) return false;
  if (choice.microphoneId === NO_MICROPHONE) return audio === undefined;
  return audio !== undefined && (!choice.microphoneId || audio.deviceId === choice.microphoneId);
}

/** `enabled` false (the page cannot stream at all): nothing is opened, so no prompt is shown for nothing. */
export function usePreview(enabled: boolean): Preview {
  const [choice, setChoice] = useState<MediaChoice>({ source: 'camera', cameraId: '', microphoneId: '' });
  const [stream, setStream] = useState<MediaStream | null>(null);
  const [devices, setDevices] = useState<DeviceLists>(NO_DEVICES);
  const [problem, setProblem] = useState('');
  const current = useRef<MediaStream | null>(null);
  useEffect(() => () => stopMedia(current.current), []);
  useEffect(() => {
    if (!enabled) return;
    if (!mediaSupported()) return setProblem('Camera access needs a secure page (https, or localhost)');
    if (current.current && satisfies(current.current, choice)) return;
    let cancelled = false;
    openMedia(choice)
      .then(async (opened) => {
        if (cancelled) return stopMedia(opened);
        stopMedia(current.current);
        current.current = opened;
        setStream(opened);
        setProblem('');
        // Labels (and real ids) are listed only once the page may use a device.
        setDevices(await listDevices());
        const camera = opened.getVideoTracks()[0]?.getSettings().deviceId;
        const microphone = opened.getAudioTracks()[0]?.getSettings().deviceId;
        setChoice((old) => ({
          ...old,
          cameraId: old.source === 'camera' && !old.cameraId && camera ? camera : old.cameraId,
          microphoneId: !old.microphoneId && microphone ? microphone : old.microphoneId,
        }));
      })
      .catch((error: Error) => {
        if (!cancelled) setProblem(error.message);
      });
    return () => {
      cancelled = true;
    };
  }, [enabled, choice.source, choice.cameraId, choice.microphoneId]);
  return { stream, devices, choice, problem, choose: setChoice };
}
