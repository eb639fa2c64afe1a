// The body of one measuring isolate: a worker thread that holds one kernel on one layer and
// answers the runner's requests (open, sample, close) one at a time. Being a fresh V8 isolate,
// it has its own JIT feedback, optimized code and heap: nothing another kernel ran can reach it.
// The request handling is platform-neutral (isolate-handler.ts); this is its Node plumbing.

import { parentPort, workerData } from 'node:worker_threads';
import { findKernel } from '../registry.js';
import { errorReply, isolateHandler } from './isolate-handler.js';
import type { IsolateReply, IsolateRequest, IsolateStart } from './isolate-protocol.js';

const handle = isolateHandler(workerData as IsolateStart, findKernel);

parentPort!.on('message', (req: IsolateRequest) => {
  handle(req).then(
    (reply) => parentPort!.postMessage(reply),
    (err: unknown) => parentPort!.postMessage(errorReply(err)),
  );
});
parentPort!.postMessage({ type: 'ready' } satisfies IsolateReply);
