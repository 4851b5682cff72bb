/**
 * Small sets of word ids (a unit's error codes, its stages) stored as one integer per unit.
 *
 * Logs repeat the same few codes and stages, so a unit's set is an id into a shared table of distinct
 * sets, and adding an element is a memoised step from one set id to the next. A unit then costs four
 * bytes for each set instead of a JavaScript Set (SPEC.md section 2 merges these by union).
 */
export class SetInterner {
  /** The distinct sets, by id, as sorted element ids; set 0 is the empty set. */
  private readonly sets: number[][] = [[]];
  private readonly setIds = new Map<string, number>([["", 0]]);
  /** Memoised steps: for each set id, element id → the id of set ∪ {element}. */
  private readonly steps: Map<number, number>[] = [new Map()];

  static readonly EMPTY = 0;

  /** The id of `set ∪ {element}`. */
  add(setId: number, element: number): number {
    const steps = this.steps[setId] as Map<number, number>;
    const known = steps.get(element);
    if (known !== undefined) return known;
    const members = this.sets[setId] as number[];
    const next = members.includes(element) ? setId : this.intern([...members, element].sort((a, b) => a - b));
    steps.set(element, next);
    return next;
  }

  /** The id of the union of two sets. */
  union(a: number, b: number): number {
    let result = a;
    for (const element of this.members(b)) result = this.add(result, element);
    return result;
  }

  /** Every set, by id. */
  all(): readonly (readonly number[])[] {
    return this.sets;
  }

  /** The element ids of a set, ascending. */
  members(setId: number): readonly number[] {
    return this.sets[setId] as number[];
  }

  private intern(members: number[]): number {
    const key = members.join(",");
    let id = this.setIds.get(key);
    if (id === undefined) {
      id = this.sets.length;
      this.sets.push(members);
      this.steps.push(new Map());
      this.setIds.set(key, id);
    }
    return id;
  }
}
