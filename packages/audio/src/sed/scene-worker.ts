/** Worker thread of `SceneStream`: makes scenes on request and sends their features back (buffers transferred). */
import { parentPort, workerData } from 'worker_threads';
import { SceneGenerator, SceneStreamOptions } from './scene-stream';

let generator: SceneGenerator | null = null;
let failure: string | null = null;
try {
  generator = new SceneGenerator(workerData as SceneStreamOptions);
} catch (err) {
  failure = (err as Error).message;
}

parentPort!.on('message', (m: { count: number }) => {
  if (!generator) {
    parentPort!.postMessage({ error: failure });
    return;
  }
  try {
    const scenes = generator.next(m.count);
    parentPort!.postMessage(
      { scenes },
      scenes.map((s) => s.features.data.buffer as ArrayBuffer),
    );
  } catch (err) {
    parentPort!.postMessage({ error: (err as Error).message });
  }
});
