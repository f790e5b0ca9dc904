/**
 * The microphone's level (WebAudio AnalyserNode), so the broadcaster sees the sound is picked up
 * before going live. A native <meter>, read ten times a second: cheap, and no animation that
 * reduced-motion users would have to switch off.
 */
import { useEffect, useRef, useState } from 'preact/hooks';

const READ_EVERY_MS = 100;

/** RMS of the waveform, scaled so speech sits mid-meter (0..1). */
function level(analyser: AnalyserNode, samples: Float32Array<ArrayBuffer>): number {
  analyser.getFloatTimeDomainData(samples);
  let sum = 0;
  for (const sample of samples) sum += sample * sample;
  return Math.min(1, Math.sqrt(sum / samples.length) * 4);
}

export function LevelMeter({ stream }: { stream: MediaStream | null }) {
  const [value, setValue] = useState(0);
  const hasAudio = (stream?.getAudioTracks().length ?? 0) > 0;
  const meter = useRef<HTMLMeterElement>(null);
  useEffect(() => {
    if (!stream || !hasAudio) return;
    const context = new AudioContext();
    const analyser = context.createAnalyser();
    analyser.fftSize = 1024;
    context.createMediaStreamSource(stream).connect(analyser);
    const samples = new Float32Array(analyser.fftSize);
    // Browsers start an AudioContext suspended until the user interacts with the page.
    const resume = () => void context.resume();
    resume();
    document.addEventListener('pointerdown', resume);
    document.addEventListener('keydown', resume);
    const timer = setInterval(() => setValue(level(analyser, samples)), READ_EVERY_MS);
    return () => {
      clearInterval(timer);
      document.removeEventListener('pointerdown', resume);
      document.removeEventListener('keydown', resume);
      void context.close();
      setValue(0);
    };
  }, [stream, hasAudio]);
  if (!hasAudio) return <p class="studio-meter-none">No microphone: the stream will be silent.</p>;
  return (
    <label class="studio-meter">
      <span>Microphone level</span>
      <meter ref={meter} id="level-meter" min={0} max={1} low={0.6} high={0.9} optimum={0.4} value={value} data-level={value.toFixed(2)} />
    </label>
  );
}
