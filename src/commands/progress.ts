// The one-line progress display on stderr: rewritten in place with `\r` + erase-line, and cut
// to the terminal's width, because a line that wraps cannot be erased by `\r` and each update
// would then leave a stale line behind (42 of them in a 60-column terminal before this).

/**
 * `line` cut to `columns - 1` characters (ending in `…` when cut): the last column stays free
 * because some terminals wrap as soon as it is written. Unknown width: unchanged.
 */
export function fitToWidth(line: string, columns: number | undefined): string {
  if (!columns || columns < 2) return line;
  const room = columns - 1;
  return line.length <= room ? line : `${line.slice(0, room - 1)}…`;
}

/** Replaces the progress line on a TTY stream with `line`, fitted to its width now (resizes included). */
export function writeProgress(stream: NodeJS.WriteStream, line: string): void {
  stream.write(`\r\x1b[K${fitToWidth(line, stream.columns)}`);
}
