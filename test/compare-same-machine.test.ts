// `compare` of a Node run and a browser run of one machine says "same machine, different
// runtime" instead of warning about different hosts; a browser fingerprint that disagrees, or
// withholds a fact needed to tell (no memory size), keeps the different-hosts warning. Real
// files from reports/browser-2026-12-01 and synthetic variants of them, through the executable.

import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { it } from 'node:test';
import { deviceMemoryAgrees, sameMachine } from '../src/compare/same-machine.js';
import type { HostBrowser, HostFingerprint } from '../src/results/schema.js';

const REPORTS = new URL('../../reports/browser-2026-12-01/', import.meta.url).pathname;
const NODE_FILE = join(REPORTS, 'node-quick.json');
const CHROMIUM_FILE = join(REPORTS, 'chromium-quick.json');
const BIN = new URL('../../bin/fatnn-bench.js', import.meta.url).pathname;
const DIR = mkdtempSync(join(tmpdir(), 'fatnn-same-machine-'));

type Doc = { host: HostFingerprint & { browser: HostBrowser } };
const read = (file: string) => JSON.parse(readFileSync(file, 'utf8')) as Doc;
const nodeHost = read(NODE_FILE).host;
const chromiumHost = read(CHROMIUM_FILE).host;

const FIREFOX_UA = 'Mozilla/5.0 (X11; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0';

/** The Chromium file with its host changed, written under DIR as `name`.json. */
function chromiumVariant(name: string, change: (host: Doc['host']) => Doc['host']): string {
  const doc = read(CHROMIUM_FILE);
  doc.host = change(structuredClone(doc.host));
  const file = join(DIR, `${name}.json`);
  writeFileSync(file, JSON.stringify(doc));
  return file;
}

/** `compare` on the console: its warnings go to stderr (Markdown and HTML carry them inside). */
function compare(...args: string[]) {
  const r = spawnSync(process.execPath, [BIN, 'compare', ...args], { encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' } });
  assert.equal(r.status, 0, r.stderr);
  return { stdout: r.stdout, stderr: r.stderr };
}

it('the published Node and Chromium runs of the development VM are the same machine, as far as a browser can tell', () => {
  const v = sameMachine(nodeHost, chromiumHost);
  assert.deepEqual(v, { kind: 'same', checked: ['OS', 'architecture', 'cores', 'memory'], unseen: ['the CPU model'] });
});

it('compare of those two files says "same machine, different runtime" and gives no different-hosts warning', () => {
  const r = compare(NODE_FILE, CHROMIUM_FILE);
  assert.match(r.stderr, /warning: same machine, different runtime: Node 20\.20\.2 vs Chromium 156\.0\.8078\.114 \(OS, architecture, cores and memory agree; a browser cannot see the CPU model\)/);
  assert.doesNotMatch(r.stderr, /different hosts/);
  assert.doesNotMatch(r.stderr, /runtimes differ/);
  // The Markdown carries the same line (it is what reports/browser-2026-12-01/compare.md holds).
  const md = compare(NODE_FILE, CHROMIUM_FILE, '--format', 'md');
  assert.doesNotMatch(md.stdout, /different hosts/);
  assert.match(md.stdout, /^- same machine, different runtime: Node 20\.20\.2 vs Chromium 156/m);
});

it('a browser on a machine with other cores is another host, and the runtimes still differ', () => {
  const file = chromiumVariant('eight-cores', (h) => ({ ...h, cpu: { ...h.cpu, cores: 8, physicalCores: 8 }, browser: { ...h.browser, hardwareConcurrency: 8 } }));
  const r = compare(NODE_FILE, file);
  assert.match(r.stderr, /warning: runtimes differ \(node-quick: Node 20\.20\.2, eight-cores: Chromium 156\.0\.8078\.114 \(browser\)\)/);
  assert.match(r.stderr, /warning: runs come from different hosts/);
  assert.doesNotMatch(r.stderr, /same machine/);
});

it('a browser reporting far less memory (a 4 GiB phone) is another host', () => {
  const file = chromiumVariant('phone', (h) => ({ ...h, memoryBytes: 4 * 2 ** 30, browser: { ...h.browser, deviceMemoryGB: 4 } }));
  assert.match(compare(NODE_FILE, file).stderr, /different hosts/);
  assert.equal(sameMachine(nodeHost, read(file).host).kind, 'different');
});

it('a browser that reports no memory size (Firefox, Safari) cannot be called the same machine: different hosts, saying why', () => {
  const file = chromiumVariant('firefox', (h) => {
    const { deviceMemoryGB: _, brands: __, ...browser } = h.browser;
    return { ...h, memoryBytes: 0, v8: 'unknown', browser: { ...browser, userAgent: FIREFOX_UA, platform: 'Linux x86_64' } };
  });
  const r = compare(NODE_FILE, file);
  assert.match(r.stderr, /warning: runs may come from different hosts \(.*; cannot tell: Firefox 133 does not report memory\); time changes may reflect the machines/);
  assert.match(r.stderr, /runtimes differ/);
  assert.doesNotMatch(r.stderr, /same machine/);
});

it('a browser on another OS, or whose architecture is only guessed, is not the same machine', () => {
  const mac = { ...chromiumHost, browser: { ...chromiumHost.browser, platform: 'macOS 15.1.0' } };
  assert.deepEqual(sameMachine(nodeHost, mac), { kind: 'different', facts: ['OS linux vs darwin'] });
  const guessed = { ...chromiumHost, arch: 'arm (guessed from the user agent)' };
  assert.equal(sameMachine(nodeHost, guessed).kind, 'unknown');
});

it('two Chromium versions on one machine: versions differ, but no different-hosts warning', () => {
  const file = chromiumVariant('chromium-157', (h) => ({ ...h, v8: 'Chromium 157.0.1.2', browser: { ...h.browser, brands: ['Chromium 157.0.1.2'] } }));
  const r = compare(CHROMIUM_FILE, file);
  assert.match(r.stderr, /browser versions differ/);
  assert.doesNotMatch(r.stderr, /different hosts|runtimes differ|same machine/);
});

it('two Node runs keep the exact host check: the CPU model must match', () => {
  assert.equal(sameMachine(nodeHost, nodeHost).kind, 'same');
  assert.deepEqual(sameMachine(nodeHost, { ...nodeHost, cpu: { ...nodeHost.cpu, brand: 'Intel Xeon' } }), { kind: 'different', facts: ['CPU AMD EPYC vs Intel Xeon'] });
});

it("a browser's memory agrees with a total within its rounding and caps", () => {
  // Chromium 156 on the development VM: 23.5 GiB total, navigator.deviceMemory 16.
  assert.equal(deviceMemoryAgrees(23.5, 16), true);
  assert.equal(deviceMemoryAgrees(23.5, 8), true); // the spec's first cap
  assert.equal(deviceMemoryAgrees(23.5, 32), true); // rounded up
  assert.equal(deviceMemoryAgrees(23.5, 4), false);
  assert.equal(deviceMemoryAgrees(3.8, 4), true);
  assert.equal(deviceMemoryAgrees(3.8, 8), false);
  assert.equal(deviceMemoryAgrees(64, 8), true);
});

it('runs of one machine whose speed probes ran at different speeds say so; within 10% they do not', () => {
  const withUsual = (name: string, usualMs: number) => {
    const doc = JSON.parse(readFileSync(NODE_FILE, 'utf8')) as { host: HostFingerprint };
    assert.ok(doc.host.speed, 'the published Node run has a speed probe summary');
    doc.host = { ...doc.host, speed: { ...doc.host.speed!, usualMs } };
    const file = join(DIR, `${name}.json`);
    writeFileSync(file, JSON.stringify(doc));
    return file;
  };
  const fast = withUsual('fast', 0.023);
  const slow = withUsual('slow', 0.03);
  const near = withUsual('near', 0.025);
  const r = compare(fast, slow);
  assert.match(r.stderr, /warning: the machine ran at different speeds: the speed probe's usual time was fast: 0\.023 ms, slow: 0\.03 ms \(1\.30x apart\)/);
  assert.doesNotMatch(compare(fast, near).stderr, /different speeds/);
  // another machine's probe says nothing about this one's speed: no such warning between hosts
  assert.doesNotMatch(compare(NODE_FILE, CHROMIUM_FILE).stderr, /different speeds/);
});
