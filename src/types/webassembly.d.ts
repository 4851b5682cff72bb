// The part of the WebAssembly JavaScript API that src/m1/wasm-scan.ts uses. Node has it all, but its
// types come with TypeScript's DOM library, which this project does not load (it is not a browser).
declare namespace WebAssembly {
  class Module {
    constructor(bytes: BufferSource);
  }
  interface MemoryDescriptor {
    initial: number;
    maximum?: number;
    shared?: boolean;
  }
  class Memory {
    constructor(descriptor: MemoryDescriptor);
    readonly buffer: ArrayBuffer | SharedArrayBuffer;
  }
  type Imports = Record<string, Record<string, Memory | ((...args: never[]) => unknown) | number>>;
  class Instance {
    constructor(module: Module, imports?: Imports);
    readonly exports: Record<string, unknown>;
  }
}
type BufferSource = ArrayBufferView | ArrayBuffer;
