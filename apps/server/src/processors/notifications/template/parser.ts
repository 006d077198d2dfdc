// Go text/template parser (subset): text, actions with pipelines, if / else if / else, range (with
// optional `$i, $v :=`), with, variables, comments. `define`, `template` and `block` are refused:
// a notification message is one template. Function names are checked here, so an unknown function
// is an error when the message is saved, not when it is sent.
import { errorAt, isKeyword, lex, type Token } from './lexer.js';

export type Node = TextNode | ActionNode | IfNode | RangeNode | WithNode | BreakNode;
export interface TextNode {
  type: 'text';
  text: string;
}
export interface ActionNode {
  type: 'action';
  pipe: Pipeline;
  pos: number;
}
export interface IfNode {
  type: 'if';
  pipe: Pipeline;
  list: Node[];
  elseList: Node[] | null;
  pos: number;
}
export interface WithNode {
  type: 'with';
  pipe: Pipeline;
  list: Node[];
  elseList: Node[] | null;
  pos: number;
}
export interface RangeNode {
  type: 'range';
  pipe: Pipeline;
  list: Node[];
  elseList: Node[] | null;
  pos: number;
}
export interface BreakNode {
  type: 'break' | 'continue';
  pos: number;
}

export interface Pipeline {
  /** Variables declared (`:=`) or assigned (`=`) by this pipeline. */
  decl: string[];
  isAssign: boolean;
  cmds: Command[];
  pos: number;
}
export interface Command {
  args: Arg[];
  pos: number;
}
export type Arg =
  | { type: 'field'; base: Arg | null; names: string[]; pos: number } // base null: relative to dot
  | { type: 'dot'; pos: number }
  | { type: 'variable'; name: string; names: string[]; pos: number }
  | { type: 'function'; name: string; pos: number }
  | { type: 'string'; value: string; pos: number }
  | { type: 'number'; value: number | bigint; pos: number }
  | { type: 'bool'; value: boolean; pos: number }
  | { type: 'nil'; pos: number }
  | { type: 'pipeline'; pipe: Pipeline; pos: number };

export interface ParsedTemplate {
  source: string;
  root: Node[];
}

export function parseTemplate(source: string, functions: ReadonlySet<string>): ParsedTemplate {
  return { source, root: new Parser(source, lex(source), functions).parseRoot() };
}

type EndKind = 'end' | 'else' | 'eof';

class Parser {
  private i = 0;
  private vars: string[][] = [['$']];
  private loopDepth = 0;

  constructor(
    private readonly source: string,
    private readonly tokens: Token[],
    private readonly functions: ReadonlySet<string>,
  ) {}

  private peek(offset = 0): Token {
    return this.tokens[Math.min(this.i + offset, this.tokens.length - 1)];
  }
  private next(): Token {
    return this.tokens[Math.min(this.i++, this.tokens.length - 1)];
  }
  private fail(pos: number, message: string): never {
    throw errorAt(this.source, pos, message);
  }
  private expect(kind: Token['kind'], context: string): Token {
    const t = this.next();
    if (t.kind !== kind) this.fail(t.pos, `unexpected ${describe(t)} in ${context}`);
    return t;
  }

  parseRoot(): Node[] {
    const { list, end, pos } = this.parseList();
    if (end !== 'eof') this.fail(pos, `unexpected {{${end}}}`);
    return list;
  }

  /** Nodes until `{{end}}`, `{{else ...}}` (left for the caller to read) or the end of input. */
  private parseList(): { list: Node[]; end: EndKind; pos: number } {
    const list: Node[] = [];
    for (;;) {
      const t = this.next();
      if (t.kind === 'eof') return { list, end: 'eof', pos: t.pos };
      if (t.kind === 'text') {
        list.push({ type: 'text', text: t.value });
        continue;
      }
      // t is 'open'
      const k = this.peek();
      if (k.kind === 'identifier' && isKeyword(k.value)) {
        this.next();
        switch (k.value) {
          case 'end':
            this.expect('close', 'end');
            return { list, end: 'end', pos: k.pos };
          case 'else':
            return { list, end: 'else', pos: k.pos };
          case 'if':
          case 'with':
          case 'range':
            list.push(this.parseControl(k.value, k.pos));
            continue;
          case 'break':
          case 'continue':
            if (this.loopDepth === 0) this.fail(k.pos, `{{${k.value}}} outside {{range}}`);
            this.expect('close', k.value);
            list.push({ type: k.value, pos: k.pos });
            continue;
          default:
            this.fail(k.pos, `{{${k.value}}} is not supported in notification messages`);
        }
      }
      const pipe = this.parsePipeline('command', true);
      this.expect('close', 'command');
      list.push({ type: 'action', pipe, pos: t.pos });
    }
  }

  private parseControl(kind: 'if' | 'with' | 'range', pos: number): IfNode | WithNode | RangeNode {
    this.vars.push([]);
    const pipe = this.parsePipeline(kind, false, kind === 'range');
    this.expect('close', kind);
    if (kind === 'range') this.loopDepth++;
    const body = this.parseList();
    if (kind === 'range') this.loopDepth--;
    let elseList: Node[] | null = null;
    if (body.end === 'eof') this.fail(pos, `unexpected EOF: {{${kind}}} has no {{end}}`);
    if (body.end === 'else') {
      const after = this.peek();
      // `{{else if ...}}` / `{{else with ...}}`: an else list holding one nested control, sharing our {{end}}.
      if ((kind === 'if' && after.kind === 'identifier' && after.value === 'if') || (kind === 'with' && after.kind === 'identifier' && after.value === 'with')) {
        this.next();
        elseList = [this.parseControl(after.value as 'if' | 'with', after.pos)];
      } else {
        this.expect('close', 'else');
        const rest = this.parseList();
        if (rest.end === 'eof') this.fail(pos, `unexpected EOF: {{${kind}}} has no {{end}}`);
        if (rest.end === 'else') this.fail(rest.pos, `expected {{end}}, found a second {{else}}`);
        elseList = rest.list;
      }
    }
    this.vars.pop();
    return { type: kind, pipe, list: body.list, elseList, pos };
  }

  private declared(name: string): boolean {
    return this.vars.some((scope) => scope.includes(name));
  }

  private parsePipeline(context: string, allowAssign: boolean, rangeDecl = false): Pipeline {
    const start = this.peek().pos;
    const decl: string[] = [];
    let isAssign = false;
    // `$x :=`, `$x =`, or in range `$i, $v :=`.
    if (this.peek().kind === 'variable') {
      const save = this.i;
      const v = this.next();
      const names = [v.value];
      if (rangeDecl && this.peek().kind === 'comma') {
        this.next();
        names.push(this.expect('variable', 'range declaration').value);
      }
      const op = this.peek();
      if (op.kind === 'declare' || (op.kind === 'assign' && names.length === 1 && allowAssign)) {
        this.next();
        isAssign = op.kind === 'assign';
        if (isAssign && !this.declared(v.value)) this.fail(v.pos, `undefined variable "${v.value}"`);
        decl.push(...names);
      } else {
        this.i = save;
      }
    }
    const cmds: Command[] = [];
    for (;;) {
      cmds.push(this.parseCommand(context));
      if (this.peek().kind === 'pipe') {
        this.next();
        continue;
      }
      break;
    }
    if (!isAssign) for (const name of decl) this.vars[this.vars.length - 1].push(name);
    return { decl, isAssign, cmds, pos: start };
  }

  private parseCommand(context: string): Command {
    const args: Arg[] = [];
    const pos = this.peek().pos;
    for (;;) {
      const t = this.peek();
      if (t.kind === 'close' || t.kind === 'pipe' || t.kind === 'rparen' || t.kind === 'eof') break;
      args.push(this.parseOperand());
    }
    if (args.length === 0) this.fail(this.peek().pos, `missing value for ${context}`);
    return { args, pos };
  }

  /** Whether `t` is glued to what came before it (`$x.Name`, `(...).Format`, `.a.b`). */
  private chained(t: Token): boolean {
    return t.kind === 'field' && t.pos > 0 && /[A-Za-z0-9_)$]/.test(this.source[t.pos - 1]);
  }

  private fieldChain(): string[] {
    const names: string[] = [];
    while (this.chained(this.peek())) names.push(this.next().value);
    return names;
  }

  private parseOperand(): Arg {
    const t = this.next();
    switch (t.kind) {
      case 'field': {
        const names = [t.value, ...this.fieldChain()];
        return { type: 'field', base: null, names, pos: t.pos };
      }
      case 'dot':
        return { type: 'dot', pos: t.pos };
      case 'variable': {
        if (!this.declared(t.value)) this.fail(t.pos, `undefined variable "${t.value}"`);
        return { type: 'variable', name: t.value, names: this.fieldChain(), pos: t.pos };
      }
      case 'identifier': {
        if (isKeyword(t.value)) this.fail(t.pos, `unexpected keyword "${t.value}" in operand`);
        if (!this.functions.has(t.value)) this.fail(t.pos, `function "${t.value}" not defined`);
        return { type: 'function', name: t.value, pos: t.pos };
      }
      case 'string':
        return { type: 'string', value: t.value, pos: t.pos };
      case 'number':
        return { type: 'number', value: parseNumber(t.value, () => this.fail(t.pos, `bad number syntax: "${t.value}"`)), pos: t.pos };
      case 'bool':
        return { type: 'bool', value: t.value === 'true', pos: t.pos };
      case 'nil':
        return { type: 'nil', pos: t.pos };
      case 'lparen': {
        const pipe = this.parsePipeline('parenthesized pipeline', false);
        this.expect('rparen', 'parenthesized pipeline');
        const inner: Arg = { type: 'pipeline', pipe, pos: t.pos };
        const names = this.fieldChain();
        return names.length ? { type: 'field', base: inner, names, pos: t.pos } : inner;
      }
      default:
        this.fail(t.pos, `unexpected ${describe(t)} in operand`);
    }
  }
}

function describe(t: Token): string {
  switch (t.kind) {
    case 'eof':
      return 'EOF';
    case 'close':
      return '"}}"';
    case 'open':
      return '"{{"';
    default:
      return `"${t.value}"`;
  }
}

/** Integer literals are Go ints (bigint here), the rest float64, as Go's parser decides. */
function parseNumber(text: string, bad: () => never): number | bigint {
  const clean = text.replace(/_/g, '');
  if (/^[+-]?(0[xX][0-9a-fA-F]+|0[bB][01]+|0[oO][0-7]+|\d+)$/.test(clean)) {
    const negative = clean.startsWith('-');
    const body = clean.replace(/^[+-]/, '');
    let value: bigint;
    if (/^0[0-7]+$/.test(body)) value = BigInt(`0o${body.slice(1)}`);
    else value = BigInt(body);
    return negative ? -value : value;
  }
  const n = Number(clean);
  if (!Number.isFinite(n)) bad();
  return n;
}
