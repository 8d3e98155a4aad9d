// The Dockerfile parser: text → buildkit's untyped tree (and its dump, for buildkit's testfiles).
export { parseDockerfile, formatWarnings, type ParseResult, type ParseWarning, type EscapeToken } from './parser';
export { dumpAst, chainValues, LocatedError, withLocation, type Node, type Heredoc } from './ast';
export { parseHeredoc, heredocsFromLine, chompHeredocContent } from './heredoc';
export type { Directive, DirectiveName } from './directives';
