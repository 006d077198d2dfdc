// Executes a parsed template over the notification data (installation, organization, payload).
// Runtime errors (a missing struct field, a bad comparison) name the position in the source.
import { errorAt } from './lexer.js';
import { EvalError, templateFunctions } from './functions.js';
import type { Arg, Command, Node, ParsedTemplate, Pipeline } from './parser.js';
import { formatValue, goTypeName, GoStruct, GoTime, isMap, truth, type Value } from './values.js';

const maxOutput = 1024 * 1024;
const maxRangeSteps = 100_000;

class Break {}
class Continue {}

interface State {
  source: string;
  timeZone: string;
  out: string[];
  size: number;
  steps: number;
  vars: { name: string; value: Value }[];
}

export function execute(tmpl: ParsedTemplate, data: Value, timeZone: string): string {
  const state: State = { source: tmpl.source, timeZone, out: [], size: 0, steps: 0, vars: [{ name: '$', value: data }] };
  walkList(state, tmpl.root, data);
  return state.out.join('');
}

function fail(state: State, pos: number, message: string): never {
  throw errorAt(state.source, pos, message);
}

function emit(state: State, text: string) {
  state.size += text.length;
  if (state.size > maxOutput) throw errorAt(state.source, 0, `output larger than ${maxOutput} characters`);
  state.out.push(text);
}

function walkList(state: State, list: Node[], dot: Value) {
  for (const node of list) walk(state, node, dot);
}

function walk(state: State, node: Node, dot: Value) {
  switch (node.type) {
    case 'text':
      emit(state, node.text);
      return;
    case 'action': {
      const mark = state.vars.length;
      const v = evalPipeline(state, node.pipe, dot);
      // A declaration prints nothing; its variable lives to the end of the enclosing block.
      if (node.pipe.decl.length === 0) emit(state, formatValue(v));
      void mark;
      return;
    }
    case 'if':
    case 'with': {
      const mark = state.vars.length;
      const v = evalPipeline(state, node.pipe, dot);
      if (truth(v)) walkList(state, node.list, node.type === 'with' ? v : dot);
      else if (node.elseList) walkList(state, node.elseList, dot);
      state.vars.length = mark;
      return;
    }
    case 'range':
      walkRange(state, node, dot);
      return;
    case 'break':
      throw new Break();
    case 'continue':
      throw new Continue();
  }
}

function walkRange(state: State, node: Extract<Node, { type: 'range' }>, dot: Value) {
  const mark = state.vars.length;
  const v = evalPipeline(state, { ...node.pipe, decl: [] }, dot);
  let items: [Value, Value][];
  if (Array.isArray(v)) items = v.map((x, i) => [BigInt(i), x]);
  else if (isMap(v)) items = Object.keys(v).sort().map((k) => [k, v[k]]);
  else if (typeof v === 'bigint') items = Array.from({ length: Math.max(0, Math.min(Number(v), maxRangeSteps + 1)) }, (_, i) => [BigInt(i), BigInt(i)]);
  else if (v === undefined || v === null) items = [];
  else fail(state, node.pos, `range can't iterate over ${formatValue(v)}`);
  if (items.length === 0) {
    if (node.elseList) walkList(state, node.elseList, dot);
    state.vars.length = mark;
    return;
  }
  for (const [key, elem] of items) {
    if (++state.steps > maxRangeSteps) fail(state, node.pos, `range ran more than ${maxRangeSteps} iterations`);
    const inner = state.vars.length;
    const decl = node.pipe.decl;
    if (decl.length === 1) state.vars.push({ name: decl[0], value: elem });
    if (decl.length === 2) state.vars.push({ name: decl[0], value: key }, { name: decl[1], value: elem });
    try {
      walkList(state, node.list, elem);
    } catch (e) {
      if (e instanceof Break) {
        state.vars.length = inner;
        break;
      }
      if (!(e instanceof Continue)) throw e;
    }
    state.vars.length = inner;
  }
  state.vars.length = mark;
}

function evalPipeline(state: State, pipe: Pipeline, dot: Value): Value {
  let value: Value = undefined;
  let piped = false;
  for (const cmd of pipe.cmds) {
    value = evalCommand(state, cmd, dot, piped ? value : undefined, piped);
    piped = true;
  }
  if (pipe.isAssign) {
    for (let i = state.vars.length - 1; i >= 0; i--) {
      if (state.vars[i].name === pipe.decl[0]) {
        state.vars[i].value = value;
        break;
      }
    }
  } else {
    for (const name of pipe.decl) state.vars.push({ name, value });
  }
  return value;
}

function evalCommand(state: State, cmd: Command, dot: Value, final: Value, hasFinal: boolean): Value {
  const [head, ...rest] = cmd.args;
  try {
    if (head.type === 'function') {
      if (head.name === 'and' || head.name === 'or') return evalAndOr(state, head.name, rest, dot, final, hasFinal);
      const args = rest.map((a) => evalArg(state, a, dot));
      if (hasFinal) args.push(final);
      return templateFunctions[head.name](args, { timeZone: state.timeZone });
    }
    if (head.type === 'field' || (head.type === 'variable' && head.names.length > 0)) {
      const args = rest.map((a) => evalArg(state, a, dot));
      if (hasFinal) args.push(final);
      return evalFieldChain(state, head, dot, args);
    }
    if (rest.length > 0 || hasFinal) fail(state, (rest[0] ?? head).pos, `can't give argument to non-function ${describeArg(head)}`);
    return evalArg(state, head, dot);
  } catch (e) {
    if (e instanceof EvalError) fail(state, head.pos, `error calling ${head.type === 'function' ? head.name : describeArg(head)}: ${e.message}`);
    throw e;
  }
}

function evalAndOr(state: State, name: 'and' | 'or', args: Arg[], dot: Value, final: Value, hasFinal: boolean): Value {
  const count = args.length + (hasFinal ? 1 : 0);
  if (count < 1) throw new EvalError(`wrong number of args for ${name}: want at least 1 got 0`);
  let v: Value = undefined;
  for (let i = 0; i < count; i++) {
    v = i < args.length ? evalArg(state, args[i], dot) : final;
    if (name === 'and' ? !truth(v) : truth(v)) return v;
  }
  return v;
}

function describeArg(a: Arg): string {
  switch (a.type) {
    case 'field':
      return '.' + a.names.join('.');
    case 'variable':
      return a.name + a.names.map((n) => '.' + n).join('');
    case 'string':
      return JSON.stringify(a.value);
    case 'number':
    case 'bool':
      return String(a.value);
    default:
      return a.type;
  }
}

function evalArg(state: State, arg: Arg, dot: Value): Value {
  switch (arg.type) {
    case 'dot':
      return dot;
    case 'string':
    case 'number':
    case 'bool':
      return arg.value;
    case 'nil':
      return null;
    case 'function':
      // A function used as an argument is called without arguments (Go allows this for niladic ones).
      if (arg.name === 'and' || arg.name === 'or') throw new EvalError(`wrong number of args for ${arg.name}: want at least 1 got 0`);
      return templateFunctions[arg.name]([], { timeZone: state.timeZone });
    case 'pipeline':
      return evalPipeline(state, arg.pipe, dot);
    case 'variable':
    case 'field':
      return evalFieldChain(state, arg, dot, []);
  }
}

function variable(state: State, name: string, pos: number): Value {
  for (let i = state.vars.length - 1; i >= 0; i--) if (state.vars[i].name === name) return state.vars[i].value;
  fail(state, pos, `undefined variable "${name}"`);
}

/** `.a.b`, `$x.a`, `(pipe).a`; the last name may be a method taking `args` (only on time values). */
function evalFieldChain(state: State, arg: Extract<Arg, { type: 'field' | 'variable' }>, dot: Value, args: Value[]): Value {
  let v: Value;
  if (arg.type === 'variable') v = variable(state, arg.name, arg.pos);
  else v = arg.base ? evalArg(state, arg.base, dot) : dot;
  arg.names.forEach((name, i) => {
    const last = i === arg.names.length - 1;
    v = field(state, arg.pos, v, name, last ? args : []);
  });
  if (arg.names.length === 0 && args.length) fail(state, arg.pos, `can't give argument to non-function ${describeArg(arg)}`);
  return v;
}

function field(state: State, pos: number, receiver: Value, name: string, args: Value[]): Value {
  if (receiver instanceof GoTime) return timeMethod(state, pos, receiver, name, args);
  if (args.length) fail(state, pos, `${name} has arguments but cannot be invoked as function`);
  if (receiver === undefined) return undefined;
  if (receiver === null) fail(state, pos, `nil pointer evaluating interface {}.${name}`);
  if (receiver instanceof GoStruct) {
    if (!Object.hasOwn(receiver.fields, name)) fail(state, pos, `can't evaluate field ${name} in type ${receiver.typeName}`);
    return receiver.fields[name];
  }
  if (isMap(receiver)) return Object.hasOwn(receiver, name) ? receiver[name] : undefined;
  fail(state, pos, `can't evaluate field ${name} in type ${goTypeName(receiver)}`);
}

const monthNames = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December'];
const dayNames = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'];

function timeMethod(state: State, pos: number, t: GoTime, name: string, args: Value[]): Value {
  const want = (n: number) => {
    if (args.length !== n) fail(state, pos, `wrong number of args for ${name}: want ${n} got ${args.length}`);
  };
  if (name === 'Format') {
    want(1);
    if (typeof args[0] !== 'string') fail(state, pos, `wrong type for value; expected string; got ${goTypeName(args[0])}`);
    return t.format(args[0]);
  }
  if (name === 'Unix') {
    want(0);
    return BigInt(t.seconds);
  }
  const simple: Record<string, string> = { Year: '2006', Day: '2', Hour: '15', Minute: '4', Second: '5', YearDay: '002' };
  if (name in simple) {
    want(0);
    return BigInt(Number(t.format(simple[name])));
  }
  if (name === 'Month') {
    want(0);
    return monthNames[Number(t.format('1')) - 1];
  }
  if (name === 'Weekday') {
    want(0);
    return dayNames[dayNames.findIndex((d) => d.startsWith(t.format('Mon')))];
  }
  if (name === 'UTC') {
    want(0);
    return new GoTime(t.seconds, t.nanos, 'UTC');
  }
  fail(state, pos, `can't evaluate field ${name} in type time.Time`);
}
