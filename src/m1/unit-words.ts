/**
 * A unit's stages and error codes, kept as one set of word ids (a `SetInterner` set): the stage whose
 * word id is w as 2w, the error code whose word id is w as 2w + 1. One set id a unit, not one for each,
 * keeps a unit's row at 64 bytes (unit-table.ts), and a merge makes one union, not two.
 */

/** The element of a stage's word id. */
export function stageElement(word: number): number {
  return 2 * word;
}

/** The element of an error code's word id. */
export function codeElement(word: number): number {
  return 2 * word + 1;
}

/** The same element with its word id mapped (another table's words to this one's). */
export function mapElement(element: number, word: (id: number) => number): number {
  return 2 * word(element >>> 1) + (element & 1);
}

/** The error codes among a set's members (ascending), as texts, in the members' order. */
export function errorCodesAmong(members: readonly number[], text: (word: number) => string): string[] {
  return ofKind(members, 1, text);
}

/** The stages among a set's members (ascending), as texts, in the members' order. */
export function stagesAmong(members: readonly number[], text: (word: number) => string): string[] {
  return ofKind(members, 0, text);
}

function ofKind(members: readonly number[], kind: number, text: (word: number) => string): string[] {
  const words: string[] = [];
  for (const element of members) if ((element & 1) === kind) words.push(text(element >>> 1));
  return words;
}
