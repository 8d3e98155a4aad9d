// Go's text/template, as far as docker's --format uses it: actions, pipelines, fields and methods,
// variables, if/else if/else, range (with break/continue), with, comments, trim markers, the
// built-in functions and docker's own (json, split, join, title, lower, upper, pad, truncate).
// Errors carry Go's texts ("template: :1: function "x" not defined", "template: :1:2: executing
// "" at <.Foo>: can't evaluate field Foo in type ..."), which docker prints after
// "template parsing error: ".
//
// Laid out as Go's package is: template/lex.ts, tree.ts (node.go), parse.ts, funcs.ts and exec.ts;
// this file is template.go, the Template that ties them together.

import { Executor } from './template/exec';
import { builtinNames, dockerFunctions, type FunctionMap } from './template/funcs';
import { Lexer } from './template/lex';
import type { ListNode } from './template/tree';
import { Parser } from './template/parse';

export { TemplateError } from './template/lex';
export { dockerFunctions, headerFunctions, sprintf, templateFunction, type FunctionMap } from './template/funcs';

/** A parsed template; execute() may be called many times with different data. */
export class Template {
  private constructor(
    private readonly source: string,
    private readonly tree: ListNode,
    private functions: FunctionMap,
    private readonly name: string,
  ) {}

  /** Parses like Go's template.New(name).Funcs(funcs).Parse(source); the name shows in errors ("template: version:1:9: ..."). */
  static parse(source: string, functions: FunctionMap = dockerFunctions, name = ''): Template {
    const tokens = new Lexer(source, name).run();
    const names = new Set([...builtinNames, ...Object.keys(functions)]);
    const tree = new Parser(tokens, names, name).parse();
    return new Template(source, tree, functions, name);
  }

  /** Replaces functions by name (docker swaps in HeaderFunctions for table headers). */
  withFunctions(overrides: FunctionMap): Template {
    return new Template(this.source, this.tree, { ...this.functions, ...overrides }, this.name);
  }

  /** `missingKeyError` is Go's Option("missingkey=error"): a map without the key fails the execution. */
  execute(data: unknown, options: { missingKeyError?: boolean } = {}): string {
    return new Executor(this.functions, this.source, options.missingKeyError ?? false, this.name).run(this.tree, data);
  }
}
