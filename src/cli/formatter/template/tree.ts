// Go's text/template/parse nodes (node.go): the parse tree, and how a pipeline prints in errors.

export interface ControlNode {
  type: 'if' | 'range' | 'with';
  pos: number;
  line: number;
  pipe: PipeNode;
  list: ListNode;
  elseList?: ListNode;
}

export type Node =
  | { type: 'text'; pos: number; text: string }
  | { type: 'action'; pos: number; line: number; pipe: PipeNode }
  | ControlNode
  | { type: 'break' | 'continue'; pos: number; line: number }
  | { type: 'comment'; pos: number };

export interface ListNode {
  nodes: Node[];
}

export interface PipeNode {
  type: 'pipe';
  pos: number;
  line: number;
  isAssign: boolean;
  decl: string[];
  cmds: CommandNode[];
}

export interface CommandNode {
  pos: number;
  args: ArgNode[];
}

export type ArgNode =
  | { type: 'field'; pos: number; ident: string[] }
  | { type: 'chain'; pos: number; node: ArgNode; fields: string[] }
  | { type: 'variable'; pos: number; ident: string[] }
  | { type: 'identifier'; pos: number; name: string }
  | { type: 'dot'; pos: number }
  | { type: 'nil'; pos: number }
  | { type: 'bool'; pos: number; value: boolean }
  | { type: 'number'; pos: number; text: string; value: number; isFloat: boolean }
  | { type: 'string'; pos: number; quoted: string; value: string }
  | (PipeNode & { parenthesized: true });

export function argString(node: ArgNode): string {
  switch (node.type) {
    case 'field':
      return '.' + node.ident.join('.');
    case 'chain':
      return (node.node.type === 'pipe' ? `(${argString(node.node)})` : argString(node.node)) + '.' + node.fields.join('.');
    case 'variable':
      return node.ident.join('.');
    case 'identifier':
      return node.name;
    case 'dot':
      return '.';
    case 'nil':
      return 'nil';
    case 'bool':
      return String(node.value);
    case 'number':
      return node.text;
    case 'string':
      return node.quoted;
    case 'pipe':
      return pipeString(node);
  }
}

export function pipeString(pipe: PipeNode): string {
  let out = '';
  if (pipe.decl.length > 0) out = pipe.decl.join(', ') + (pipe.isAssign ? ' = ' : ' := ');
  return out + pipe.cmds.map((cmd) => cmd.args.map((arg) => (arg.type === 'pipe' ? `(${argString(arg)})` : argString(arg))).join(' ')).join(' | ');
}
