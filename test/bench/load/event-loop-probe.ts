// Preloaded into the portal process by the load benchmark (node --import), never by the portal itself: it measures
// the portal's event-loop delay with monitorEventLoopDelay and answers over the IPC channel the benchmark opened.
// Without that channel (any ordinary start) it does nothing.
import { monitorEventLoopDelay } from 'node:perf_hooks';

if (process.send) {
  // The histogram records the whole interval between its timer's turns: the delay is that less the resolution.
  const RESOLUTION_MS = 1;
  const histogram = monitorEventLoopDelay({ resolution: RESOLUTION_MS });
  histogram.enable();
  const ms = (ns: number) => Math.max(0, Math.round((ns / 1e6 - RESOLUTION_MS) * 100) / 100);
  process.on('message', (message: unknown) => {
    if (message === 'event-loop:reset') {
      histogram.reset();
      process.send?.({ kind: 'event-loop:reset' });
    } else if (message === 'event-loop:read') {
      process.send?.({
        kind: 'event-loop',
        p50: ms(histogram.percentile(50)),
        p99: ms(histogram.percentile(99)),
        max: ms(histogram.max),
        mean: ms(histogram.mean),
      });
    }
  });
  // The channel must not keep the portal alive after its own shutdown.
  process.channel?.unref();
}
