// Reading a request body with a hard cap: a Content-Length above it is refused before a byte is
// read, and a body that grows past it (chunked, or a lying length) stops being read at once.

import type { IncomingMessage } from 'node:http';

export type BodyResult = { readonly ok: true; readonly text: string } | { readonly ok: false; readonly tooLarge: true } | { readonly ok: false; readonly tooLarge: false; readonly why: string };

export function readBody(req: IncomingMessage, maxBytes: number): Promise<BodyResult> {
  const declared = Number(req.headers['content-length']);
  if (Number.isFinite(declared) && declared > maxBytes) return Promise.resolve({ ok: false, tooLarge: true });
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let settled = false;
    const settle = (r: BodyResult) => {
      if (settled) return;
      settled = true;
      req.off('data', onData);
      resolve(r);
    };
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size > maxBytes) {
        // Stop reading: the caller answers 413 and closes the connection.
        req.pause();
        settle({ ok: false, tooLarge: true });
        return;
      }
      chunks.push(chunk);
    };
    req.on('data', onData);
    req.on('end', () => {
      const buf = Buffer.concat(chunks);
      // fatal: a body that is not UTF-8 is a bad request, not text with replacement characters.
      try {
        settle({ ok: true, text: new TextDecoder('utf-8', { fatal: true }).decode(buf) });
      } catch {
        settle({ ok: false, tooLarge: false, why: 'body is not UTF-8' });
      }
    });
    req.on('error', (err) => settle({ ok: false, tooLarge: false, why: `request failed: ${err.message}` }));
    req.on('aborted', () => settle({ ok: false, tooLarge: false, why: 'request aborted' }));
  });
}
