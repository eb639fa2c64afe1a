// Who may talk to the server (README "serve: security"). Loopback binds need no token; any
// other bind needs a random token on every request. Every bind checks the Host header against
// the names the server really has, so a web page whose DNS name is rebound to 127.0.0.1 cannot
// read the server's answers (its requests carry its own name as Host).

import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { isIP } from 'node:net';
import os from 'node:os';
import type { IncomingMessage } from 'node:http';
import { TOKEN_COOKIE, TOKEN_HEADER, TOKEN_QUERY } from '../web/protocol.js';

export function isLoopbackHost(host: string): boolean {
  const h = host.toLowerCase();
  if (h === 'localhost') return true;
  if (isIP(h) === 4) return h.startsWith('127.');
  if (isIP(h) === 6) return h === '::1' || /^::ffff:127\./.test(h);
  return false;
}

export function isWildcardHost(host: string): boolean {
  return host === '0.0.0.0' || host === '::';
}

/** 128 random bits, URL-safe: guessing it is out of reach, typing it from a phone still possible. */
export function newToken(): string {
  return randomBytes(16).toString('base64url');
}

/** `host` as it appears in a URL or a Host header (IPv6 in brackets). */
export function urlHost(host: string): string {
  return isIP(host) === 6 ? `[${host}]` : host;
}

/** The machine's own addresses, for a wildcard bind: loopback first, then the network's. */
export function interfaceAddresses(): { address: string; internal: boolean }[] {
  const all = Object.values(os.networkInterfaces()).flatMap((list) => list ?? []);
  return all.map((a) => ({ address: a.address, internal: a.internal })).sort((a, b) => Number(b.internal) - Number(a.internal));
}

/** Host names (lower case, IPv6 bracketed, no port) a request to a server bound to `host` may carry. */
export function allowedHostNames(host: string): Set<string> {
  const names = new Set<string>([urlHost(host.toLowerCase())]);
  if (isLoopbackHost(host) || isWildcardHost(host)) for (const n of ['localhost', '127.0.0.1', '[::1]']) names.add(n);
  if (isWildcardHost(host)) {
    for (const a of interfaceAddresses()) names.add(urlHost(a.address.toLowerCase()));
    // A phone may reach the machine by its name (mDNS) rather than its address.
    const name = os.hostname().toLowerCase();
    names.add(name);
    names.add(`${name}.local`);
  }
  return names;
}

/** Why the Host header is refused, or null when it names this server. */
export function hostProblem(header: string | undefined, allowed: ReadonlySet<string>, port: number): string | null {
  if (!header) return 'no Host header';
  const m = /^(\[[0-9a-f:.]+\]|[a-z0-9.-]+)(?::(\d+))?$/i.exec(header);
  if (!m) return 'malformed Host header';
  const name = m[1]!.toLowerCase();
  const givenPort = m[2] === undefined ? 80 : Number(m[2]);
  if (!allowed.has(name) || givenPort !== port) return `Host ${header} is not this server (DNS rebinding?)`;
  return null;
}

function cookie(req: IncomingMessage, name: string): string | undefined {
  for (const part of (req.headers.cookie ?? '').split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0 && part.slice(0, eq).trim() === name) return part.slice(eq + 1).trim();
  }
  return undefined;
}

/** Constant time whatever the lengths: both sides are hashed to 32 bytes first. */
function sameToken(given: string, token: string): boolean {
  const digest = (s: string) => createHash('sha256').update(s).digest();
  return timingSafeEqual(digest(given), digest(token));
}

export type TokenCheck = { readonly ok: true; readonly fromQuery: boolean } | { readonly ok: false; readonly why: string };

/** The token from the query (`?token=`), the cookie or the header; any of them right is enough. */
export function checkToken(req: IncomingMessage, query: URLSearchParams, token: string): TokenCheck {
  const candidates = [
    { value: query.get(TOKEN_QUERY) ?? undefined, fromQuery: true },
    { value: cookie(req, TOKEN_COOKIE), fromQuery: false },
    { value: typeof req.headers[TOKEN_HEADER] === 'string' ? req.headers[TOKEN_HEADER] : undefined, fromQuery: false },
  ].filter((c): c is { value: string; fromQuery: boolean } => c.value !== undefined);
  if (candidates.length === 0) return { ok: false, why: 'no token (open the URL printed by `serve`, with its ?token=)' };
  const right = candidates.find((c) => sameToken(c.value, token));
  return right ? { ok: true, fromQuery: right.fromQuery } : { ok: false, why: 'wrong token' };
}

/** Set on the page request that carried the right `?token=`: later requests carry it by themselves. */
export function tokenCookie(token: string): string {
  return `${TOKEN_COOKIE}=${token}; HttpOnly; SameSite=Strict; Path=/`;
}
