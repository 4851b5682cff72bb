// ByteKeys: byte strings with a tag to dense indexes (the unit table's keys, the vocabularies' words).
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { ByteKeys, hashBytes } from "../../src/m1/byte-keys.js";

const bytesOf = (text: string): Buffer => Buffer.from(text, "utf8");

describe("ByteKeys", () => {
  it("keys whose hashes all collide are told apart by tag, length and bytes", () => {
    // The hash is the caller's, and slots are probed by it mixed with the tag (`slotHash`): given the hash
    // that mixes to 0 for its tag, every key has the same slot hash (and so the same hash bits in its
    // slot), and the table recomputes 0 for each as it doubles. Every lookup probes past the others and
    // compares them, and only the stored tag, length and bytes can tell the keys apart.
    const keys = new ByteKeys(false, 8, 0, () => 0);
    const colliding = (tag: number): number => Math.imul(tag, 0x9e3779b1);
    const cases: [number, string][] = [
      [0, "abcd"],
      [1, "abcd"], // the same bytes, another tag
      [0, "abc"], // a prefix of a key
      [0, "abcde"], // a key with it as a prefix
      [0, "abce"], // a difference in the last of four bytes
      [0, "abcdefgh-ijkl"], // one past a word boundary
      [0, "abcdefgh-ijkm"],
      [2 ** 31 + 5, "abcd"], // a tag past 2^31 (tags are unsigned)
      [0, "é"],
      [0, "x".repeat(300)],
      // Headers of one word (a tag below 2^23, a length below 256) and of two, at each edge.
      [2 ** 23 - 1, "y".repeat(255)],
      [2 ** 23 - 1, "y".repeat(256)],
      [2 ** 23, "y".repeat(255)],
      [0, ""],
    ];
    cases.forEach(([tag, text], i) => {
      const bytes = bytesOf(text);
      expect(keys.slotHash(tag, colliding(tag))).toBe(0);
      expect(keys.intern(tag, bytes, 0, bytes.length, colliding(tag))).toBe(i);
      expect(keys.added).toBe(true);
    });
    // Past the 8 slots it started with: the table rehashed while every key collided.
    expect(keys.size).toBe(cases.length);
    cases.forEach(([tag, text], i) => {
      const bytes = bytesOf(`  ${text}  `);
      expect(keys.find(tag, bytes, 2, bytes.length - 2, colliding(tag))).toBe(i);
      expect(keys.intern(tag, bytes, 2, bytes.length - 2, colliding(tag))).toBe(i);
      expect(keys.added).toBe(false);
      expect(keys.text(i)).toBe(text);
      expect(keys.tag(i)).toBe(tag);
    });
    expect(keys.find(0, bytesOf("abcf"), 0, 4, colliding(0))).toBe(-1);
    expect(keys.find(3, bytesOf("abcd"), 0, 4, colliding(3))).toBe(-1);
    expect(keys.find(0, bytesOf("ab"), 0, 2, colliding(0))).toBe(-1);
  });

  it("the touching reads find the key a slot hash names, and read only inside the table", () => {
    const keys = new ByteKeys(false, 16);
    const texts = Array.from({ length: 100 }, (_, i) => (i % 10 === 0 ? "" : `request-${i}`));
    const indexes = texts.map((text, i) => keys.internText(i % 2, text));
    const found = Int32Array.from(texts, (text, i) => {
      const bytes = bytesOf(text);
      return keys.touchKey(keys.slotHash(i % 2, hashBytes(bytes, 0, bytes.length)));
    });
    // Likely the key (by hash alone); with these 100 keys, always.
    expect([...found]).toEqual(indexes);
    found[3] = -1; // a record whose unit is new
    expect(Number.isInteger(keys.touchKeys(found, found.length))).toBe(true);
    expect(keys.touchKey(keys.slotHash(0, hashBytes(bytesOf("absent"), 0, 6)))).toBe(-1);
  });

  it("with its slots released, reads keys by index and refuses to look one up or add one", () => {
    const keys = new ByteKeys(false, 8);
    const texts = Array.from({ length: 50 }, (_, i) => `id-${i}`);
    texts.forEach((text) => keys.internText(7, text));
    keys.releaseSlots();
    expect(texts.map((_, i) => [keys.text(i), keys.tag(i)])).toEqual(texts.map((text) => [text, 7]));
    expect(keys.snapshot().count).toBe(50);
    // Every probe ends at once: the touching reads find nothing, and nothing hangs.
    expect(keys.touchKey(keys.slotHash(7, hashBytes(bytesOf("id-3"), 0, 4)))).toBe(-1);
    expect(() => keys.internText(7, "id-3")).toThrow(/after releaseSlots/);
    expect(() => keys.internText(7, "new")).toThrow(/after releaseSlots/);
    expect(() => keys.find(7, bytesOf("id-3"), 0, 4, hashBytes(bytesOf("id-3"), 0, 4))).toThrow(
      /after releaseSlots/,
    );
    expect(keys.size).toBe(50);
  });

  it("agrees with a Map on any keys and tags, through doublings, and with its slots released", () => {
    // Keys of every header form (short, a length from 256, a tag from 2^23) and hashes as the table
    // recomputes them (the default slot hash), added and looked up in any order.
    const key = fc.record({
      tag: fc.oneof(fc.constantFrom(0, 1, 2 ** 23 - 1, 2 ** 23, 2 ** 31 + 1), fc.nat(40)),
      text: fc.oneof(fc.string({ maxLength: 12 }), fc.constantFrom("z".repeat(255), "z".repeat(256))),
    });
    fc.assert(
      fc.property(fc.array(key, { maxLength: 400 }), fc.nat(2000), (keys, reserve) => {
        const table = new ByteKeys(false, 8, reserve);
        const model = new Map<string, number>();
        const name = (k: { tag: number; text: string }): string => `${k.tag}/${k.text}`;
        for (const k of keys) {
          const bytes = bytesOf(k.text);
          const hash = hashBytes(bytes, 0, bytes.length);
          const expected = model.get(name(k)) ?? -1;
          expect(table.find(k.tag, bytes, 0, bytes.length, hash)).toBe(expected);
          const index = table.intern(k.tag, bytes, 0, bytes.length, hash);
          expect(table.added).toBe(expected === -1);
          if (expected === -1) model.set(name(k), index);
          else expect(index).toBe(expected);
        }
        expect(table.size).toBe(model.size);
        table.releaseSlots();
        for (const [n, index] of model) {
          const slash = n.indexOf("/");
          expect([table.tag(index), table.text(index)]).toEqual([
            Number(n.slice(0, slash)),
            n.slice(slash + 1),
          ]);
        }
      }),
      { numRuns: 300 },
    );
  });

  // Doubling places every key again from the slot hash recomputed from its bytes (see ByteKeys.rehash),
  // and a slot holds only the hash's bits above the index: a probe that wraps around the end of the
  // table, a key placed by the wrong bits, or an index that spills into the hash's bits would leave a key
  // that a lookup no longer reaches.
  it.each([
    ["in room reserved up front", 4096],
    ["in a copy twice as large", 0],
  ])("finds every key after each doubling, %s, whatever the hashes", (_, reserveKeys) => {
    // Hashes drawn to crowd the end of the table (probes wrap around to its start), to collide outright,
    // to share their low bits (one home until a doubling tells them apart), or at random.
    const draws: ((i: number, random: () => number) => number)[] = [
      // Homes in the last four slots of tables up to 2^j slots (j drawn from 3 to 10), the bits above
      // drawn at random: clusters that wrap around the end, split between the halves when doubled.
      (_i, random) => Math.floor(random() * 2 ** 32) | 0 | ((1 << (3 + Math.floor(random() * 8))) - 4),
      (_i, random) => -1 - Math.floor(random() * 4), // the last slots, whatever the size
      (_i, random) => Math.floor(random() * 3) * 2 ** 20 - 1,
      (i) => (i % 7) << 16,
      (_i, random) => Math.floor(random() * 2 ** 32) | 0,
    ];
    let seed = 42;
    const random = (): number => {
      seed = (Math.imul(seed, 1103515245) + 12345) | 0;
      return (seed >>> 8) / 2 ** 24;
    };
    for (const draw of draws) {
      const hashes: number[] = [];
      // The drawn hash of key `k${i}`, which the table recomputes from its bytes as it doubles.
      const drawn = (_tag: number, bytes: Uint8Array, start: number, end: number): number =>
        hashes[Number(Buffer.from(bytes.subarray(start + 1, end)).toString())] as number;
      const keys = new ByteKeys(false, 8, reserveKeys, drawn);
      for (let i = 0; i < 600; i++) {
        hashes.push(draw(i, random));
        const bytes = bytesOf(`k${i}`);
        expect(keys.intern(0, bytes, 0, bytes.length, hashes[i] as number)).toBe(i);
        // After every key (a doubling happens at 0.7 full), every key so far, and one not yet added.
        if (i % 37 === 0 || i < 64) {
          hashes.forEach((hash, k) =>
            expect(keys.find(0, bytesOf(`k${k}`), 0, `k${k}`.length, hash)).toBe(k),
          );
          expect(keys.find(0, bytesOf("absent"), 0, 6, hashes[i] as number)).toBe(-1);
        }
      }
      hashes.forEach((hash, k) => {
        const bytes = bytesOf(`k${k}`);
        expect(keys.intern(0, bytes, 0, bytes.length, hash)).toBe(k);
        expect(keys.added).toBe(false);
      });
      expect(keys.size).toBe(600);
    }
  });
});
