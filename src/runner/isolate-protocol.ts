// Messages between the runner and a measuring isolate (isolate-worker.ts). Operands travel by
// structured clone: each isolate gets its own copy, so a kernel that wrote into its operands
// could not change what another kernel is verified or timed on.

import type { LogicalArray, Shape } from '../types.js';
import type { FloatActivations, Loaded, TimedView } from './session.js';

export interface IsolateStart {
  readonly kernelId: string;
  /** One Int32 the runner sets to ask for a stop between samples (Ctrl-C). */
  readonly stop: SharedArrayBuffer;
}

export interface SampleRequestOptions {
  readonly timeMs: number;
  readonly minSamples: number;
  readonly warmupMs: number;
}

export type IsolateRequest =
  | { readonly type: 'create'; readonly shape: Shape; readonly threads: number }
  | { readonly type: 'load'; readonly w: LogicalArray; readonly x: LogicalArray; readonly floats?: FloatActivations }
  | { readonly type: 'sample'; readonly view: TimedView; readonly options: SampleRequestOptions }
  | { readonly type: 'release' }
  | { readonly type: 'close' };

export type IsolateReply =
  | { readonly type: 'ready' }
  | { readonly type: 'created' }
  | { readonly type: 'loaded'; readonly loaded: Loaded }
  | { readonly type: 'sampled'; readonly samples: Float64Array; readonly callsPerSample: number; readonly stopped: boolean; readonly probeMs?: readonly [number, number] }
  | { readonly type: 'released' }
  | { readonly type: 'closed' }
  | { readonly type: 'error'; readonly message: string; readonly name: string };
