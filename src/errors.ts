// Error classes the CLI maps to exit codes: usage mistakes exit 2, failures of a run exit 1.

/** Bad flag, malformed shape, unknown precision: the user can fix the command line. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}

/** Something the tool could not do (wrong result, unreadable file, crashed worker). */
export class FatnnError extends Error {
  override readonly name = 'FatnnError';
}
