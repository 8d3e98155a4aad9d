// Go's text/template execution (exec.go): walks the tree against the data, with Go's error texts.

import { formatValue, isGoMap, isHiddenTemplateField, isStruct, isTrue, mapEntries, printValue, typeName } from '../govalue';
import { type FunctionMap, checkType, equal, indexValue, lengthOf, less, sprint, sprintf } from './funcs';
import { TemplateError } from './lex';
import { type ArgNode, type CommandNode, type ControlNode, type ListNode, type Node, type PipeNode, argString, pipeString } from './tree';

class BreakSignal {}
class ContinueSignal {}

interface Variable {
  name: string;
  value: unknown;
}

class ExecutionError extends TemplateError {}

export class Executor {
  private variables: Variable[] = [];
  private out = '';

  constructor(
    private readonly functions: FunctionMap,
    private readonly source: string,
    private readonly missingKeyError = false,
    private readonly name = '',
  ) {}

  private location(pos: number): string {
    const before = this.source.slice(0, pos);
    const lastNewline = before.lastIndexOf('\n');
    const line = 1 + (before.match(/\n/g) ?? []).length;
    const column = lastNewline === -1 ? pos : pos - lastNewline - 1;
    return `${this.name}:${line}:${column}`;
  }

  private fail(node: { pos: number }, context: string, message: string): never {
    let shown = context;
    if (shown.length > 20) shown = shown.slice(0, 20) + '...';
    throw new ExecutionError(`template: ${this.location(node.pos)}: executing "${this.name}" at <${shown}>: ${message}`);
  }

  run(list: ListNode, data: unknown): string {
    this.variables = [{ name: '$', value: data }];
    this.walkList(data, list);
    return this.out;
  }

  private walkList(dot: unknown, list: ListNode): void {
    for (const node of list.nodes) this.walk(dot, node);
  }

  private walk(dot: unknown, node: Node): void {
    switch (node.type) {
      case 'text':
        this.out += node.text;
        return;
      case 'comment':
        return;
      case 'action': {
        const value = this.evalPipeline(dot, node.pipe);
        if (node.pipe.decl.length === 0) this.out += this.printable(node.pipe, value);
        return;
      }
      case 'if':
      case 'with': {
        const mark = this.variables.length;
        const value = this.evalPipeline(dot, node.pipe);
        if (isTrue(value)) this.walkList(node.type === 'with' ? value : dot, node.list);
        else if (node.elseList) this.walkList(dot, node.elseList);
        this.variables.length = mark;
        return;
      }
      case 'range':
        this.walkRange(dot, node);
        return;
      case 'break':
        throw new BreakSignal();
      case 'continue':
        throw new ContinueSignal();
    }
  }

  private printable(pipe: PipeNode, value: unknown): string {
    if (typeof value === 'function') this.fail(pipe, pipeString(pipe), `can't print ${pipeString(pipe)} of type func`);
    return printValue(value);
  }

  private walkRange(dot: unknown, node: ControlNode): void {
    const mark = this.variables.length;
    const value = this.evalPipeline(dot, node.pipe);
    let items: [unknown, unknown][];
    if (Array.isArray(value)) items = value.map((item, i) => [i, item]);
    else if (isGoMap(value)) items = mapEntries(value);
    else if (typeof value === 'number' && Number.isInteger(value)) items = Array.from({ length: Math.max(value, 0) }, (_, i) => [i, i]);
    else if (value === null || value === undefined) items = [];
    else this.fail(node.pipe, pipeString(node.pipe), `range can't iterate over ${formatValue(value)}`);
    if (items.length === 0) {
      this.variables.length = mark;
      if (node.elseList) this.walkList(dot, node.elseList);
      return;
    }
    const rangingOverInt = typeof value === 'number';
    for (const [key, element] of items) {
      const decl = node.pipe.decl;
      if (decl.length === 1) this.setVariable(decl[0], rangingOverInt ? key : element);
      if (decl.length === 2) {
        this.setVariable(decl[0], key);
        this.setVariable(decl[1], element);
      }
      try {
        this.walkList(element, node.list);
      } catch (signal) {
        if (signal instanceof BreakSignal) break;
        if (!(signal instanceof ContinueSignal)) throw signal;
      }
    }
    this.variables.length = mark;
  }

  private setVariable(name: string, value: unknown): void {
    for (let i = this.variables.length - 1; i >= 0; i--) {
      if (this.variables[i].name === name) {
        this.variables[i].value = value;
        return;
      }
    }
  }

  private variable(name: string): unknown {
    for (let i = this.variables.length - 1; i >= 0; i--) if (this.variables[i].name === name) return this.variables[i].value;
    return undefined;
  }

  private evalPipeline(dot: unknown, pipe: PipeNode): unknown {
    let value: unknown = undefined;
    let hasFinal = false;
    for (const cmd of pipe.cmds) {
      value = this.evalCommand(dot, cmd, hasFinal, value);
      hasFinal = true;
    }
    for (const name of pipe.decl) {
      if (pipe.isAssign) this.setVariable(name, value);
      else this.variables.push({ name, value });
    }
    return value;
  }

  private evalCommand(dot: unknown, cmd: CommandNode, hasFinal: boolean, final: unknown): unknown {
    const [first, ...rest] = cmd.args;
    switch (first.type) {
      case 'field':
        return this.evalFieldChain(dot, dot, first, first.ident, rest, hasFinal, final);
      case 'chain': {
        const base = this.evalArg(dot, first.node);
        return this.evalFieldChain(dot, base, first, first.fields, rest, hasFinal, final);
      }
      case 'variable': {
        const base = this.variable(first.ident[0]);
        if (first.ident.length === 1) {
          this.notAFunction(first, rest, hasFinal);
          return base;
        }
        return this.evalFieldChain(dot, base, first, first.ident.slice(1), rest, hasFinal, final);
      }
      case 'identifier':
        return this.evalFunction(dot, first, rest, hasFinal, final);
      case 'pipe':
        this.notAFunction(first, rest, hasFinal);
        return this.evalPipeline(dot, first);
      case 'nil':
        this.fail(first, 'nil', 'nil is not a command');
        break;
      case 'dot':
        this.notAFunction(first, rest, hasFinal);
        return dot;
      default:
        this.notAFunction(first, rest, hasFinal);
        return this.literal(first);
    }
  }

  private notAFunction(node: ArgNode, rest: ArgNode[], hasFinal: boolean): void {
    if (rest.length > 0 || hasFinal) this.fail(node, argString(node), `can't give argument to non-function ${argString(node)}`);
  }

  private literal(node: ArgNode): unknown {
    switch (node.type) {
      case 'bool':
        return node.value;
      case 'number':
        return node.value;
      case 'string':
        return node.value;
      case 'dot':
      case 'nil':
        return undefined;
      default:
        return undefined;
    }
  }

  private evalArg(dot: unknown, node: ArgNode): unknown {
    switch (node.type) {
      case 'dot':
        return dot;
      case 'nil':
        return null;
      case 'field':
        return this.evalFieldChain(dot, dot, node, node.ident, [], false, undefined);
      case 'chain':
        return this.evalFieldChain(dot, this.evalArg(dot, node.node), node, node.fields, [], false, undefined);
      case 'variable': {
        const base = this.variable(node.ident[0]);
        return node.ident.length === 1 ? base : this.evalFieldChain(dot, base, node, node.ident.slice(1), [], false, undefined);
      }
      case 'pipe':
        return this.evalPipeline(dot, node);
      case 'identifier':
        return this.evalFunction(dot, node, [], false, undefined);
      default:
        return this.literal(node);
    }
  }

  private evalFieldChain(
    dot: unknown,
    receiver: unknown,
    node: ArgNode,
    names: string[],
    rest: ArgNode[],
    hasFinal: boolean,
    final: unknown,
  ): unknown {
    let current = receiver;
    for (let i = 0; i < names.length; i++) {
      const last = i === names.length - 1;
      current = this.evalField(dot, names[i], node, current, last ? rest : [], last && hasFinal, final);
    }
    return current;
  }

  private evalField(dot: unknown, name: string, node: ArgNode, receiver: unknown, args: ArgNode[], hasFinal: boolean, final: unknown): unknown {
    const context = argString(node);
    if (receiver === null || receiver === undefined) this.fail(node, context, `nil pointer evaluating ${typeName(receiver) === '<nil>' ? 'interface {}' : typeName(receiver)}.${name}`);
    if (typeof receiver === 'object' || typeof receiver === 'function') {
      const record = receiver as Record<string, unknown>;
      const member = record[name];
      if (typeof member === 'function' && /^[A-Z]/.test(name)) {
        const values = args.map((arg) => this.evalArg(dot, arg));
        if (hasFinal) values.push(final);
        const method = member as (...params: unknown[]) => unknown;
        if (method.length !== values.length) {
          this.fail(node, context, `wrong number of args for ${name}: want ${method.length} got ${values.length}`);
        }
        return this.call(node, context, () => method.apply(receiver, values));
      }
      const hasArgs = args.length > 0 || hasFinal;
      if (isGoMap(receiver)) {
        if (hasArgs) this.fail(node, context, `${name} is not a method but has arguments`);
        const found = receiver instanceof Map ? receiver.has(name) : Object.prototype.hasOwnProperty.call(receiver, name);
        if (!found && this.missingKeyError) this.fail(node, context, `map has no entry for key ${JSON.stringify(name)}`);
        return receiver instanceof Map ? receiver.get(name) : found ? record[name] : undefined;
      }
      if (isStruct(receiver) && name in receiver && /^[A-Z]/.test(name) && !isHiddenTemplateField(receiver, name)) {
        if (hasArgs) this.fail(node, context, `${name} has arguments but cannot be invoked as function`);
        return member;
      }
    }
    this.fail(node, context, `can't evaluate field ${name} in type ${typeName(receiver)}`);
  }

  private call(node: { pos: number }, context: string, invoke: () => unknown): unknown {
    try {
      return invoke();
    } catch (error) {
      if (error instanceof ExecutionError || error instanceof BreakSignal || error instanceof ContinueSignal) throw error;
      const message = error instanceof Error ? error.message : String(error);
      this.fail(node, context, message);
    }
  }

  private evalFunction(dot: unknown, node: Extract<ArgNode, { type: 'identifier' }>, rest: ArgNode[], hasFinal: boolean, final: unknown): unknown {
    const name = node.name;
    const context = name;
    const argumentCount = rest.length + (hasFinal ? 1 : 0);
    // and/or evaluate lazily and return the deciding operand.
    if (name === 'and' || name === 'or') {
      if (argumentCount < 1) this.fail(node, context, `wrong number of args for ${name}: want at least 1 got 0`);
      let value: unknown;
      for (const arg of rest) {
        value = this.evalArg(dot, arg);
        if (isTrue(value) === (name === 'or')) return value;
      }
      if (hasFinal) value = final;
      return value;
    }
    const values = rest.map((arg) => this.evalArg(dot, arg));
    if (hasFinal) values.push(final);
    const builtin = this.builtin(name, values, node, context);
    if (builtin.handled) return builtin.value;
    const entry = this.functions[name];
    const variadic = entry.params.length > 0 && entry.params[entry.params.length - 1].endsWith('...');
    const fixed = variadic ? entry.params.length - 1 : entry.params.length;
    if (variadic ? values.length < fixed : values.length !== fixed) {
      this.fail(node, context, `wrong number of args for ${name}: want ${variadic ? 'at least ' : ''}${fixed} got ${values.length}`);
    }
    values.forEach((value, i) => {
      const expected = entry.params[Math.min(i, entry.params.length - 1)].replace('...', '');
      if (!checkType(expected, value)) {
        const argNode = i < rest.length ? rest[i] : node;
        this.fail(argNode, argNode.type === 'identifier' ? context : argString(argNode), `wrong type for value; expected ${expected}; got ${typeName(value)}`);
      }
    });
    return this.call(node, context, () => entry.fn(...values));
  }

  private builtin(name: string, values: unknown[], node: { pos: number }, context: string): { handled: boolean; value?: unknown } {
    const want = (count: number): void => {
      if (values.length !== count) this.fail(node, context, `wrong number of args for ${name}: want ${count} got ${values.length}`);
    };
    const wrap = (fn: () => unknown): { handled: true; value: unknown } => ({ handled: true, value: this.call(node, context, fn) });
    switch (name) {
      case 'not':
        want(1);
        return { handled: true, value: !isTrue(values[0]) };
      case 'len':
        want(1);
        return wrap(() => {
          try {
            return lengthOf(values[0]);
          } catch (error) {
            throw new TemplateError(`error calling len: ${(error as Error).message}`);
          }
        });
      case 'index':
        if (values.length < 1) this.fail(node, context, `wrong number of args for index: want at least 1 got 0`);
        return wrap(() => indexValue(values[0], values.slice(1)));
      case 'slice':
        return wrap(() => {
          const [item, ...bounds] = values;
          const numbers = bounds.map(Number);
          if (typeof item === 'string') return item.slice(numbers[0] ?? 0, numbers[1] ?? item.length);
          if (Array.isArray(item)) return item.slice(numbers[0] ?? 0, numbers[1] ?? item.length);
          throw new TemplateError(`error calling slice: can't slice item of type ${typeName(item)}`);
        });
      case 'print':
        return { handled: true, value: sprint(values) };
      case 'println':
        return { handled: true, value: values.map((value) => formatValue(value)).join(' ') + '\n' };
      case 'printf':
        if (values.length < 1) this.fail(node, context, `wrong number of args for printf: want at least 1 got 0`);
        return { handled: true, value: sprintf(String(values[0]), values.slice(1)) };
      case 'eq':
        if (values.length < 2) this.fail(node, context, `wrong number of args for eq: want at least 1 got ${values.length}`);
        return wrap(() => values.slice(1).some((other) => equal(values[0], other)));
      case 'ne':
        want(2);
        return wrap(() => {
          try {
            return !equal(values[0], values[1]);
          } catch (error) {
            throw new TemplateError((error as Error).message.replace('calling eq', 'calling ne'));
          }
        });
      case 'lt':
        want(2);
        return wrap(() => less('lt', values[0], values[1]));
      case 'le':
        want(2);
        return wrap(() => less('le', values[0], values[1]) || equal(values[0], values[1]));
      case 'gt':
        want(2);
        return wrap(() => !(less('gt', values[0], values[1]) || equal(values[0], values[1])));
      case 'ge':
        want(2);
        return wrap(() => !less('ge', values[0], values[1]));
      case 'html':
        return { handled: true, value: sprint(values).replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&#34;').replace(/'/g, '&#39;') };
      case 'js':
        return { handled: true, value: sprint(values).replace(/\\/g, '\\\\').replace(/'/g, "\\'").replace(/"/g, '\\"').replace(/</g, '\\u003C').replace(/>/g, '\\u003E') };
      case 'urlquery':
        return { handled: true, value: encodeURIComponent(sprint(values)).replace(/%20/g, '+') };
      case 'call':
        return wrap(() => {
          const [fn, ...args] = values;
          if (typeof fn !== 'function') throw new TemplateError(`error calling call: non-function of type ${typeName(fn)}`);
          return (fn as (...params: unknown[]) => unknown)(...args);
        });
      default:
        return { handled: false };
    }
  }
}
