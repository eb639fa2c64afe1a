// Entry script of a pool worker. It sleeps in Atomics.wait on its control block, runs the
// operation the main thread signals (create / pack / run / dispose its share of a kernel),
// reports through the shared words and sleeps again. Each worker owns one instance of the base
// single-thread kernel per parallel kernel, sized to its chunk of C.

import { parentPort, receiveMessageOnPort, workerData, type MessagePort } from 'node:worker_threads';
import type { Kernel, KernelDeclaration, LogicalArray, ResultArray } from '../../types.js';
import {
  blockOf, CMD_SEQ, logicalView, Spinner, ERROR_AREA_BYTES, ERROR_BYTES, FAULT, Op, OP, PENDING, SLOT, Status, STATUS,
  floatShareOf, packShareFromFloat, type CreateMessage, type ErrorReport, type FloatShare,
} from './protocol.js';

export interface WorkerData {
  readonly index: number;
  /** Polling before sleeping; 0 when the pool has more threads than the host has cores. */
  readonly spinMicros: number;
  readonly control: SharedArrayBuffer;
  readonly errors: SharedArrayBuffer;
  readonly port: MessagePort;
}

/** A worker's share of one parallel kernel. */
interface Share {
  readonly kernel: Kernel;
  readonly w: LogicalArray;
  readonly x: LogicalArray;
  /** Copies the base kernel's result into the shared C. */
  readonly publish: () => void;
  /** fromFloat operands (absent for fp32). */
  readonly floats?: FloatShare;
}

const { index, spinMicros, control, errors, port } = workerData as WorkerData;
const ctrl = new Int32Array(control);
const block = blockOf(index);
const errorArea = new Uint8Array(errors, index * ERROR_AREA_BYTES, ERROR_AREA_BYTES);
const shares = new Map<number, Share>();
const spinner = new Spinner(spinMicros);
const modules = new Map<string, Promise<Record<string, unknown>>>();

// A worker that ends while the main thread waits on it (process.exit in a kernel, a fatal
// error) must wake the main thread, which otherwise would sleep until its timeout.
process.on('exit', (code) => {
  report({ name: 'WorkerExit', message: `thread ${index + 1} exited with code ${code}` });
  Atomics.store(ctrl, FAULT, index + 1);
  Atomics.notify(ctrl, PENDING);
});

async function findDeclaration(moduleUrl: string, exportName: string, id: string): Promise<KernelDeclaration> {
  let mod = modules.get(moduleUrl);
  if (!mod) modules.set(moduleUrl, (mod = import(moduleUrl) as Promise<Record<string, unknown>>));
  const list = (await mod)[exportName];
  if (!Array.isArray(list)) throw new Error(`${moduleUrl} has no kernel list "${exportName}"`);
  const decl = (list as KernelDeclaration[]).find((d) => d.id === id);
  if (!decl) throw new Error(`kernel ${id} not found in ${exportName} of ${moduleUrl}`);
  return decl;
}

async function create(msg: CreateMessage): Promise<void> {
  const { M, N, K, axis, start, end } = msg;
  const decl = await findDeclaration(msg.moduleUrl, msg.exportName, msg.baseId);
  const wAll = logicalView(msg.fp32, msg.w);
  const xAll = logicalView(msg.fp32, msg.x);
  const out = msg.fp32 ? new Float32Array(msg.out) : new Int32Array(msg.out);
  const sub = axis === 'M' ? { M: end - start, N, K } : { M, N: end - start, K };
  const kernel = await decl.create(sub, { threads: 1 });
  const w = axis === 'M' ? wAll.subarray(start * K, end * K) : wAll;
  const x = axis === 'N' ? xAll.subarray(start * K, end * K) : xAll;
  const publish =
    axis === 'M'
      ? () => out.set(kernel.result() as ResultArray & typeof out, start * N)
      : () => {
          const part = kernel.result();
          const width = end - start;
          for (let m = 0; m < M; m++) out.set(part.subarray(m * width, (m + 1) * width) as typeof out, m * N + start);
        };
  const floats = floatShareOf(msg);
  shares.set(msg.slot, { kernel, w, x, publish, ...(floats ? { floats } : {}) });
}

function shareOf(slot: number): Share {
  const share = shares.get(slot);
  if (!share) throw new Error(`thread ${index + 1} has no kernel in slot ${slot}`);
  return share;
}

/** Runs one operation; returns a promise only when the base kernel's call was asynchronous. */
function perform(op: number, slot: number): void | Promise<void> {
  switch (op) {
    case Op.Create: {
      const received = receiveMessageOnPort(port);
      if (!received) throw new Error(`thread ${index + 1}: create signalled without its message`);
      return create(received.message as CreateMessage);
    }
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
}

function report(err: ErrorReport): void {
  const encoded = new TextEncoder().encode(JSON.stringify(err));
  const text = encoded.length <= ERROR_AREA_BYTES ? encoded : new TextEncoder().encode(JSON.stringify({ name: err.name, message: err.message.slice(0, 1000) }));
  errorArea.set(text.subarray(0, ERROR_AREA_BYTES));
  Atomics.store(ctrl, block + ERROR_BYTES, Math.min(text.length, ERROR_AREA_BYTES));
}

function finish(status: Status): void {
  Atomics.store(ctrl, block + STATUS, status);
  if (Atomics.sub(ctrl, PENDING, 1) === 1) Atomics.notify(ctrl, PENDING);
}

function fail(err: unknown): void {
  const e = err instanceof Error ? err : new Error(String(err));
  report({ name: e.name, message: e.message, stack: e.stack });
  finish(Status.Failed);
}

async function serve(): Promise<never> {
  // The main thread starts every CMD_SEQ at 0, so an operation signalled before this line runs
  // is still seen.
  let seen = 0;
  parentPort?.postMessage('ready');
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
      fail(err);
    }
  }
}

void serve();
