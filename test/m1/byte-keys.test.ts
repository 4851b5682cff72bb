// ByteKeys: byte strings with a tag to dense indexes (the unit table's keys, the vocabularies' words).
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { ByteKeys, hashBytes, keyLength, keyStartIn, keyTag } from "../../src/m1/byte-keys.js";

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

  describe("keys that all take the same room: where each starts is computed, not stored", () => {
    /** Every key as a snapshot gives it: its tag and text, read through `keyStartIn`. */
    const throughSnapshot = (table: ByteKeys): [number, string][] => {
      const keys = table.snapshot();
      return Array.from({ length: keys.count }, (_, i) => {
        const start = keyStartIn(keys, i);
        const text = Buffer.from(keys.arena).toString("utf8", start, start + keyLength(keys.arena, start));
        return [keyTag(keys.arena, start), text];
      });
    };

    it("keys of one size leave `starts` empty; the first of another size writes it out, and all are found", () => {
      const table = new ByteKeys(false, 8, 1000);
      const same = Array.from({ length: 300 }, (_, i) => `id-${String(i).padStart(8, "0")}`);
      same.forEach((text, i) => expect(table.internText(i % 5, text)).toBe(i));
      let snapshot = table.snapshot();
      expect([snapshot.entrySize, snapshot.starts.length]).toEqual([4 + 11, 0]);
      expect(throughSnapshot(table)).toEqual(same.map((text, i) => [i % 5, text]));
      // Another length: every start is written out, and keys of either size go on being added.
      const later = [
        "other-length",
        ...Array.from({ length: 300 }, (_, i) => `id-${String(i + 300).padStart(8, "0")}`),
      ];
      later.forEach((text, i) => expect(table.internText(i % 5, text)).toBe(300 + i));
      snapshot = table.snapshot();
      expect([snapshot.entrySize, snapshot.starts.length]).toEqual([0, 601]);
      const all = [...same.map((text, i) => [i % 5, text]), ...later.map((text, i) => [i % 5, text])];
      expect(throughSnapshot(table)).toEqual(all);
      all.forEach(([tag, text], i) => {
        const bytes = bytesOf(text as string);
        expect(table.find(tag as number, bytes, 0, bytes.length, hashBytes(bytes, 0, bytes.length))).toBe(i);
        expect([table.tag(i), table.text(i)]).toEqual([tag, text]);
      });
    });

    it("a key with a two-word header (a tag from 2^23, or 256 bytes) is never of the common size", () => {
      for (const [tag, text] of [
        [2 ** 23, "abcd"],
        [0, "z".repeat(256)],
      ] as const) {
        const first = new ByteKeys(false, 8);
        first.internText(tag, text);
        first.internText(tag, text.replace(/./, "q"));
        expect(first.snapshot().entrySize).toBe(0);
        expect(throughSnapshot(first)).toEqual([
          [tag, text],
          [tag, text.replace(/./, "q")],
        ]);
        // After keys of one size: it writes the starts out.
        const after = new ByteKeys(false, 8);
        ["abcd", "efgh"].forEach((t) => after.internText(1, t));
        after.internText(tag, text);
        expect(after.snapshot().entrySize).toBe(0);
        expect(throughSnapshot(after)).toEqual([
          [1, "abcd"],
          [1, "efgh"],
          [tag, text],
        ]);
      }
    });

    it("agrees with a Map whenever the size changes, through doublings, past the room reserved", () => {
      // Mostly keys of one length (as request ids that are all UUIDs), and now and then another.
      const key = fc.record({
        tag: fc.nat(3),
        text: fc.oneof(
          { weight: 9, arbitrary: fc.stringMatching(/^[a-f0-9]{6}$/) },
          { weight: 1, arbitrary: fc.string({ maxLength: 8 }) },
        ),
      });
      fc.assert(
        fc.property(fc.array(key, { maxLength: 600 }), fc.nat(700), (keys, reserve) => {
          const table = new ByteKeys(false, 8, reserve);
          const model = new Map<string, number>();
          const listed: [number, string][] = [];
          for (const k of keys) {
            const name = `${k.tag}/${k.text}`;
            const index = table.internText(k.tag, k.text);
            if (!model.has(name)) {
              model.set(name, index);
              listed.push([k.tag, k.text]);
            }
            expect(index).toBe(model.get(name));
          }
          expect(throughSnapshot(table)).toEqual(listed);
          listed.forEach(([tag, text], i) => {
            const bytes = bytesOf(text);
            expect(table.find(tag, bytes, 0, bytes.length, hashBytes(bytes, 0, bytes.length))).toBe(i);
          });
        }),
        { numRuns: 300 },
      );
    });
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
