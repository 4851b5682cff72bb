import { ByteKeys, hashBytes } from "./byte-keys.js";

/**
 * A small set of distinct strings met over and over (function names, stages, error codes, unknown field
 * names), each given a dense id the first time its bytes are seen and decoded to a string only once.
 * Each word also keeps a second, independent 32-bit hash of its bytes, so that record fingerprints built
 * from words are 64 bits wide and do not depend on the order in which ids were handed out.
 */
export class Vocabulary {
  private readonly keys = new ByteKeys(true, 64);
  private readonly firstHash: number[] = [];
  private readonly secondHash: number[] = [];

  get size(): number {
    return this.keys.size;
  }

  /** The id of the word in bytes[start, end). */
  idOf(bytes: Uint8Array, start: number, end: number): number {
    return this.idOfHashed(bytes, start, end, hashBytes(bytes, start, end));
  }

  /** `idOf` for bytes whose `hashBytes` is known. */
  idOfHashed(bytes: Uint8Array, start: number, end: number, hash: number): number {
    const id = this.keys.intern(0, bytes, start, end, hash);
    if (this.keys.added) {
      this.firstHash[id] = hash;
      this.secondHash[id] = secondHashOf(bytes, start, end);
    }
    return id;
  }

  /** The id of the word in bytes[start, end), or -1 when it has none yet. */
  find(bytes: Uint8Array, start: number, end: number): number {
    return this.keys.find(0, bytes, start, end, hashBytes(bytes, start, end));
  }

  /** The id of a word given as a string. */
  idOfText(text: string): number {
    const bytes = Buffer.from(text, "utf8");
    return this.idOf(bytes, 0, bytes.length);
  }

  /** Every word, by id. */
  texts(): string[] {
    return Array.from({ length: this.size }, (_, id) => this.text(id));
  }

  text(id: number): string {
    return this.keys.text(id);
  }

  hashA(id: number): number {
    return this.firstHash[id] as number;
  }

  hashB(id: number): number {
    return this.secondHash[id] as number;
  }
}

function secondHashOf(bytes: Uint8Array, start: number, end: number): number {
  let h = 0x9747b28c ^ (end - start);
  for (let i = start; i < end; i++) {
    h ^= bytes[i] as number;
    h = Math.imul(h, 0x5bd1e995);
    h ^= h >>> 15;
  }
  return h;
}
