// The body of one measuring isolate: a worker thread that holds one kernel on one layer and
// answers the runner's requests (open, sample, close) one at a time. Being a fresh V8 isolate,
// it has its own JIT feedback, optimized code and heap: nothing another kernel ran can reach it.

import { parentPort, workerData } from 'node:worker_threads';
import { runShutdownHooks } from '../lifecycle.js';
import { findKernel } from '../registry.js';
import type { IsolateReply, IsolateRequest, IsolateStart } from './isolate-protocol.js';
import { KernelSession } from './session.js';

const start = workerData as IsolateStart;
const stopFlag = new Int32Array(start.stop);
const stop = () => Atomics.load(stopFlag, 0) !== 0;
let session: KernelSession | undefined;

async function handle(req: IsolateRequest): Promise<IsolateReply> {
  switch (req.type) {
    case 'create': {
      session = await KernelSession.create(findKernel(start.kernelId), req.shape, req.threads);
      return { type: 'created' };
    }
    case 'load': {
      if (!session) throw new Error('load before create');
      return { type: 'loaded', result: await session.load(req.w, req.x) };
    }
    case 'sample': {
      if (!session) throw new Error('sample before open');
      const s = await session.sample(req.view, { ...req.options, stop });
      const samples = Float64Array.from(s.samples);
      return { type: 'sampled', samples, callsPerSample: s.callsPerSample, stopped: s.stopped, ...(s.probeMs ? { probeMs: s.probeMs } : {}) };
    }
    case 'release': {
      const s = session;
      session = undefined;
      await s?.dispose();
      return { type: 'released' };
    }
    case 'close': {
      await session?.dispose();
      session = undefined;
      await runShutdownHooks();
      return { type: 'closed' };
    }
  }
}

parentPort!.on('message', (req: IsolateRequest) => {
  handle(req).then(
    (reply) => parentPort!.postMessage(reply),
    (err: unknown) => {
      const e = err instanceof Error ? err : new Error(String(err));
      parentPort!.postMessage({ type: 'error', message: e.message, name: e.name } satisfies IsolateReply);
    },
  );
});
parentPort!.postMessage({ type: 'ready' } satisfies IsolateReply);
