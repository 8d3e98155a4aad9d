// Typed Dockerfile instructions and build stages from the parser's tree, and their expansion.
export * from './commands';
export { parseInstruction, parseInstructions, findStage, instructionNames, UnknownInstructionError, InstructionParseError, type Instructions } from './parse';
export { expandCommand, type WordExpander } from './expand';
export { parseGoDuration } from './go-numbers';
