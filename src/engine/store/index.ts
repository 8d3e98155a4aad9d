export * from './types';
export { MemoryStore, type FaultHook } from './memory-store';
export {
  BufferedTransaction,
  chunksOf,
  cloneJson,
  collectVerified,
  compareKeys,
  deleteOne,
  putOne,
  hashWhileCopying,
  runUpdate,
  SerialQueue,
  verifyingChunks,
  verifyStored,
  type WriteSet,
} from './common';
