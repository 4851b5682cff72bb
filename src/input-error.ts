/**
 * An expected failure that stops part or all of a run: a missing file, a bad flag value, a corrupt gzip.
 * The CLI prints its message as one line (`attribute: <message>`), never a stack, and exits 2.
 */
export class InputError extends Error {
  override readonly name = "InputError";
}
