// The body of a measuring isolate, platform-neutral: answers the runner's requests (create,
// load, sample, release, close) for one kernel. The Node isolate (isolate-worker.ts, a worker
// thread) and the browser one (src/web/isolate-worker.ts, a Web Worker) wrap it in their own
// message plumbing, so both verify and time a kernel the same way.

import { runShutdownHooks } from '../lifecycle.js';
import type { KernelDeclaration } from '../types.js';
import type { IsolateReply, IsolateRequest, IsolateStart } from './isolate-protocol.js';
import { KernelSession } from './session.js';

export type IsolateHandler = (req: IsolateRequest) => Promise<IsolateReply>;

/** `find` is the platform's kernel table lookup by id. */
export function isolateHandler(start: IsolateStart, find: (id: string) => KernelDeclaration): IsolateHandler {
  const stopFlag = new Int32Array(start.stop);
  const stop = () => Atomics.load(stopFlag, 0) !== 0;
  let session: KernelSession | undefined;

  return async (req) => {
    switch (req.type) {
      case 'create': {
        session = await KernelSession.create(find(start.kernelId), req.shape, req.threads);
        return { type: 'created' };
      }
      case 'load': {
        if (!session) throw new Error('load before create');
        return { type: 'loaded', loaded: await session.load(req.w, req.x, req.floats) };
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
  };
}

/** An error as the isolate protocol carries it. */
export function errorReply(err: unknown): IsolateReply {
  const e = err instanceof Error ? err : new Error(String(err));
  return { type: 'error', message: e.message, name: e.name };
}
