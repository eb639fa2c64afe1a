// Entry of a browser pool worker (bundled to dist/web/pool-worker.js): the Web Worker twin of
// ../backends/workers/worker.ts. It sleeps in Atomics.wait on its control block and runs what
// the calling thread signals; only Op.Create goes back to the event loop, to receive the
// create message (a Web Worker has no synchronous receive), which was posted before the signal.

import type { Kernel, LogicalArray, ResultArray } from '../types.js';
import {
  blockOf, CMD_SEQ, logicalView, Spinner, ERROR_AREA_BYTES, ERROR_BYTES, Op, OP, PENDING, SLOT, Status, STATUS,
  floatShareOf, packShareFromFloat, type CreateMessage, type ErrorReport, type FloatShare,
} from '../backends/workers/protocol.js';
import { findWebKernel, useBundleBase } from './kernels.js';
import type { WebPoolStart } from './web-pool.js';

interface Share {
  readonly kernel: Kernel;
  readonly w: LogicalArray;
  readonly x: LogicalArray;
  readonly publish: () => void;
  /** fromFloat operands (absent for fp32). */
  readonly floats?: FloatShare;
}

const scope = self as unknown as { onmessage: ((e: MessageEvent) => void) | null; postMessage(m: unknown): void };
const creates: CreateMessage[] = [];
let wakeCreate: (() => void) | null = null;

function nextCreate(): Promise<CreateMessage> {
  const m = creates.shift();
  if (m) return Promise.resolve(m);
  return new Promise((resolve) => {
    wakeCreate = () => {
      wakeCreate = null;
      resolve(creates.shift()!);
    };
  });
}

scope.onmessage = (e: MessageEvent) => {
  const start = e.data as WebPoolStart;
  useBundleBase(start.base);
  scope.onmessage = (m: MessageEvent) => {
    creates.push(m.data as CreateMessage);
    wakeCreate?.();
  };
  void serve(start);
};

async function serve({ index, spinMicros, control, errors }: WebPoolStart): Promise<never> {
  const ctrl = new Int32Array(control);
  const block = blockOf(index);
  const errorArea = new Uint8Array(errors, index * ERROR_AREA_BYTES, ERROR_AREA_BYTES);
  const shares = new Map<number, Share>();
  const spinner = new Spinner(spinMicros);

  const report = (err: ErrorReport) => {
    const encoded = new TextEncoder().encode(JSON.stringify(err));
    const text = encoded.length <= ERROR_AREA_BYTES ? encoded : new TextEncoder().encode(JSON.stringify({ name: err.name, message: err.message.slice(0, 1000) }));
    errorArea.set(text.subarray(0, ERROR_AREA_BYTES));
    Atomics.store(ctrl, block + ERROR_BYTES, Math.min(text.length, ERROR_AREA_BYTES));
  };
  const finish = (status: Status) => {
    Atomics.store(ctrl, block + STATUS, status);
    if (Atomics.sub(ctrl, PENDING, 1) === 1) Atomics.notify(ctrl, PENDING);
  };
  const shareOf = (slot: number) => {
    const s = shares.get(slot);
    if (!s) throw new Error(`thread ${index + 1} has no kernel in slot ${slot}`);
    return s;
  };

  const create = async (msg: CreateMessage) => {
    const { M, N, K, axis, start, end } = msg;
    const decl = findWebKernel(msg.baseId);
    const wAll = logicalView(msg.fp32, msg.w);
    const xAll = logicalView(msg.fp32, msg.x);
    const out = msg.fp32 ? new Float32Array(msg.out) : new Int32Array(msg.out);
    const kernel = await decl.create(axis === 'M' ? { M: end - start, N, K } : { M, N: end - start, K }, { threads: 1 });
    const floats = floatShareOf(msg);
    const publish =
      axis === 'M'
        ? () => out.set(kernel.result() as ResultArray & typeof out, start * N)
        : () => {
            const part = kernel.result();
            const width = end - start;
            for (let m = 0; m < M; m++) out.set(part.subarray(m * width, (m + 1) * width) as typeof out, m * N + start);
          };
    shares.set(msg.slot, {
      kernel,
      w: axis === 'M' ? wAll.subarray(start * K, end * K) : wAll,
      x: axis === 'N' ? xAll.subarray(start * K, end * K) : xAll,
      publish,
      ...(floats ? { floats } : {}),
    });
  };

  const perform = (op: number, slot: number): void | Promise<void> => {
    switch (op) {
      case Op.Create:
        return nextCreate().then(create);
      case Op.PackWeights: {
        const s = shareOf(slot);
        s.kernel.setWeights(s.w);
        return;
      }
      case Op.PackActivations: {
        const s = shareOf(slot);
        s.kernel.setActivations(s.x);
        return;
      }
      case Op.PackActivationsFromFloat: {
        const s = shareOf(slot);
        packShareFromFloat(s.kernel, s.floats);
        return;
      }
      case Op.Run:
        return shareOf(slot).kernel.run();
      case Op.Publish:
        shareOf(slot).publish();
        return;
      case Op.Dispose: {
        const s = shares.get(slot);
        shares.delete(slot);
        return s?.kernel.dispose() ?? undefined;
      }
      default:
        throw new Error(`thread ${index + 1}: unknown operation ${op}`);
    }
  };

  let seen = 0;
  scope.postMessage('ready');
  for (;;) {
    if (!spinner.spinWhileEqual(ctrl, block + CMD_SEQ, seen)) Atomics.wait(ctrl, block + CMD_SEQ, seen);
    const seq = Atomics.load(ctrl, block + CMD_SEQ);
    if (seq === seen) continue;
    seen = seq;
    const op = Atomics.load(ctrl, block + OP);
    const slot = Atomics.load(ctrl, block + SLOT);
    try {
      const pending = perform(op, slot);
      if (pending) await pending;
      finish(Status.Ok);
    } catch (err) {
      const e = err instanceof Error ? err : new Error(String(err));
      report({ name: e.name, message: e.message, stack: e.stack });
      finish(Status.Failed);
    }
  }
}
