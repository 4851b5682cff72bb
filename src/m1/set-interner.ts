/**
 * Small sets of strings (a unit's error codes, its stages) stored as one integer per unit.
 *
 * Logs repeat the same few codes and stages, so a unit's set is an id into a shared table of distinct
 * sets, and adding an element is a memoised step from one set id to the next. A unit then costs four
 * bytes for each set instead of a JavaScript Set (SPEC.md section 2 merges these by union).
 */
export class SetInterner {
  /** The distinct elements, by id. */
  readonly elements: string[] = [];
  private readonly elementIds = new Map<string, number>();
  /** The distinct sets, by id, as sorted element ids; set 0 is the empty set. */
  private readonly sets: number[][] = [[]];
  private readonly setIds = new Map<string, number>([["", 0]]);
  private readonly steps = new Map<number, number>();

  static readonly EMPTY = 0;

  /** The id of `set ∪ {element}`. */
  add(setId: number, element: string): number {
    let elementId = this.elementIds.get(element);
    if (elementId === undefined) {
      elementId = this.elements.length;
      this.elements.push(element);
      this.elementIds.set(element, elementId);
    }
    // Both ids stay far below 2^26 in any log that fits in memory, so the pair packs into one safe integer.
    const step = setId * 67_108_864 + elementId;
    const known = this.steps.get(step);
    if (known !== undefined) return known;
    const members = this.sets[setId] as number[];
    const next = members.includes(elementId)
      ? setId
      : this.intern([...members, elementId].sort((a, b) => a - b));
    this.steps.set(step, next);
    return next;
  }

  /** The id of the union of two sets. */
  union(a: number, b: number): number {
    let result = a;
    for (const element of this.members(b)) result = this.add(result, element);
    return result;
  }

  /** The elements of a set, in no particular order. */
  members(setId: number): string[] {
    return (this.sets[setId] as number[]).map((id) => this.elements[id] as string);
  }

  private intern(members: number[]): number {
    const key = members.join(",");
    let id = this.setIds.get(key);
    if (id === undefined) {
      id = this.sets.length;
      this.sets.push(members);
      this.setIds.set(key, id);
    }
    return id;
  }
}
