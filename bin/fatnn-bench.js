#!/usr/bin/env node
// Thin launcher: the CLI lives in dist/src/cli.js (compiled from src/cli.ts at install time).

// `fatnn-bench list | head`: the reader has gone; stop quietly like other Unix tools.
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (err) => {
    if (err && err.code === 'EPIPE') process.exit(0);
    throw err;
  });
}
import('../dist/src/cli.js')
  .then(({ main }) => main(process.argv))
  .then((code) => {
    process.exitCode = code;
  })
  .catch((err) => {
    const missing = err && err.code === 'ERR_MODULE_NOT_FOUND' && String(err.message).includes('dist/src/cli.js');
    process.stderr.write(
      missing ? 'fatnn-bench: not built; run `npm install` (or `npm run build`) in the package folder\n' : `fatnn-bench: ${err && err.stack ? err.stack : err}\n`,
    );
    process.exitCode = 1;
  });
