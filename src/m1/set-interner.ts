/**
 * Sets of word ids (a unit's error codes, its stages) stored as one integer per unit.
 *
 * Logs repeat the same few codes and stages, so a small set is an id into a shared table of distinct
 * sets, and adding an element is a memoised step from one set id to the next: a unit costs four bytes per
 * set instead of a JavaScript Set (SPEC.md section 2 merges these by union). A set that grows past
 * SMALL elements (one request logging thousands of distinct codes) stops being shared: it becomes a set
 * of its own, owned by the one unit that built it and grown in place, so memory stays linear in its size
 * instead of keeping every intermediate set.
 */
export class SetInterner {
  /** The small sets, by id, as sorted element ids (null for an owned set); set 0 is the empty set. */
  private readonly sets: (number[] | null)[] = [[]];
  private readonly setIds = new Map<string, number>([["", 0]]);
  /** Memoised steps of small sets: for each set id, element id → the id of set ∪ {element}. */
  private readonly steps: (Map<number, number> | null)[] = [new Map()];
  /** Owned (large) sets by id, and their members sorted, computed when asked. */
  private readonly owned = new Map<number, { members: Set<number>; sorted: number[] | null }>();

  static readonly EMPTY = 0;
  /** Past this many elements a set is owned by its unit, not shared. */
  static readonly SMALL = 32;

  /** The id of `set ∪ {element}` (an owned set is grown in place and keeps its id). */
  add(setId: number, element: number): number {
    const steps = this.steps[setId];
    if (steps === null || steps === undefined) {
      const own = this.owned.get(setId) as { members: Set<number>; sorted: number[] | null };
      if (!own.members.has(element)) {
        own.members.add(element);
        own.sorted = null;
      }
      return setId;
    }
    const known = steps.get(element);
    if (known !== undefined) return known;
    const members = this.sets[setId] as number[];
    if (members.includes(element)) {
      steps.set(element, setId);
      return setId;
    }
    if (members.length >= SetInterner.SMALL) return this.own([...members, element]);
    const next = this.intern([...members, element].sort((a, b) => a - b));
    steps.set(element, next);
    return next;
  }

  /** The id of the union of two sets. */
  union(a: number, b: number): number {
    let result = a;
    // Indexed, not for…of: an iterator per union is garbage that lives long enough to be promoted.
    const members = this.members(b);
    for (let k = 0; k < members.length; k++) result = this.add(result, members[k] as number);
    return result;
  }

  /** Every set, by id, as sorted element ids. */
  all(): readonly (readonly number[])[] {
    return this.sets.map((members, id) => members ?? this.members(id));
  }

  /** The element ids of a set, ascending. */
  members(setId: number): readonly number[] {
    const shared = this.sets[setId];
    if (shared !== null && shared !== undefined) return shared;
    const own = this.owned.get(setId) as { members: Set<number>; sorted: number[] | null };
    own.sorted ??= [...own.members].sort((a, b) => a - b);
    return own.sorted;
  }

  private own(members: number[]): number {
    const id = this.sets.length;
    this.sets.push(null);
    this.steps.push(null);
    this.owned.set(id, { members: new Set(members), sorted: null });
    return id;
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
