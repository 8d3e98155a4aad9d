// The shell-word lexer of the Dockerfile builder: variable expansion and word splitting.
export { ShellLex, ShellExpansionError, envFromList, type EnvLookup, type ProcessWordResult } from './lex';
