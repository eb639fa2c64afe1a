// Entry of a browser measuring isolate (bundled to dist/web/isolate-worker.js): one dedicated
// Web Worker per kernel and fork, the twin of ../runner/isolate-worker.ts, running the same
// platform-neutral handler on the browser's kernel table.

import { errorReply, isolateHandler } from '../runner/isolate-handler.js';
import type { IsolateReply, IsolateRequest } from '../runner/isolate-protocol.js';
import type { WebIsolateStart } from './isolate-host.js';
import { findWebKernel, useBundleBase } from './kernels.js';
import { setPoolWorker } from './web-pool.js';

const scope = self as unknown as { onmessage: ((e: MessageEvent) => void) | null; postMessage(m: unknown): void };

scope.onmessage = (first: MessageEvent) => {
  const start = first.data as WebIsolateStart;
  useBundleBase(start.base);
  setPoolWorker(start.poolWorkerUrl, start.base);
  const handle = isolateHandler(start, findWebKernel);
  scope.onmessage = (e: MessageEvent) => {
    handle(e.data as IsolateRequest).then(
      (reply) => scope.postMessage(reply),
      (err: unknown) => scope.postMessage(errorReply(err)),
    );
  };
  scope.postMessage({ type: 'ready' } satisfies IsolateReply);
};
