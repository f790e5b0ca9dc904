/** The source choice before going live: camera or screen, which camera, which microphone (or none). */
import type { DeviceLists, MediaChoice, VideoSource } from './media.ts';
import { NO_MICROPHONE } from './media.ts';

interface Props {
  readonly choice: MediaChoice;
  readonly devices: DeviceLists;
  readonly screenAvailable: boolean;
  /** Locked while a switch would need a new stream (the WebSocket upload, a reconnect). */
  readonly disabled: boolean;
  /** On air over WebRTC: sources may change, but the sound may not go (the stream's audio would stall). */
  readonly live: boolean;
  readonly onChange: (choice: MediaChoice) => void;
}

/** Before permission, labels are empty: number them so the options still differ. */
function deviceLabel(device: MediaDeviceInfo, index: number, kind: string): string {
  return device.label || `${kind} ${index + 1}`;
}

export function DevicePicker({ choice, devices, screenAvailable, disabled, live, onChange }: Props) {
  return (
    <fieldset class="studio-devices" disabled={disabled}>
      <legend>Sources</legend>
      <label for="video-source">Video</label>
      <select id="video-source" value={choice.source} onChange={(event) => onChange({ ...choice, source: event.currentTarget.value as VideoSource })}>
        <option value="camera">Camera</option>
        {screenAvailable && <option value="screen">Share screen or window</option>}
      </select>
      {choice.source === 'camera' && (
        <>
          <label for="camera">Camera</label>
          <select id="camera" value={choice.cameraId} onChange={(event) => onChange({ ...choice, cameraId: event.currentTarget.value })}>
            {devices.cameras.length === 0 && <option value="">Default camera</option>}
            {devices.cameras.map((camera, index) => (
              <option key={camera.deviceId} value={camera.deviceId}>
                {deviceLabel(camera, index, 'Camera')}
              </option>
            ))}
          </select>
        </>
      )}
      <label for="microphone">Microphone</label>
      {/* A broadcast started without sound has no audio track to swap one into. */}
      <select id="microphone" value={choice.microphoneId} disabled={live && choice.microphoneId === NO_MICROPHONE} onChange={(event) => onChange({ ...choice, microphoneId: event.currentTarget.value })}>
        {devices.microphones.length === 0 && <option value="">Default microphone</option>}
        {devices.microphones.map((microphone, index) => (
          <option key={microphone.deviceId} value={microphone.deviceId}>
            {deviceLabel(microphone, index, 'Microphone')}
          </option>
        ))}
        <option value={NO_MICROPHONE} disabled={live && choice.microphoneId !== NO_MICROPHONE}>
          No sound
        </option>
      </select>
    </fieldset>
  );
}
