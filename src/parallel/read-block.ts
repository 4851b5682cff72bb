import type { Block } from "../input/block-cutter.js";
import { LineSplitter, OVERLONG_KIND, overlongReason } from "../input/line-splitter.js";
import type { Intake, SourceId } from "../m1/intake.js";

/** A block to read on this thread, with where it belongs. */
export interface BlockTask {
  readonly source: SourceId;
  /** Lines of the source before this block. */
  readonly lineOffset: number;
  /** The first block of a source: a BOM on its first line is dropped. */
  readonly first: boolean;
  readonly block: Block;
}

/** Reads one block into an intake; returns how many lines it held. */
export function readBlock(intake: Intake, task: BlockTask, maxLineBytes: number): number {
  const sink = intake.sinkFor(task.source, task.lineOffset);
  if (task.block.overlong !== undefined) {
    sink.reject(1, OVERLONG_KIND, overlongReason(task.block.overlong, maxLineBytes));
    return 1;
  }
  const splitter = new LineSplitter(sink, maxLineBytes, task.first);
  splitter.push(task.block.bytes);
  splitter.end();
  return splitter.lines;
}
