// Go text/template lexer (the subset we render): splits the source into text and `{{ }}` actions
// and tokenizes the inside of actions. Positions are kept so every error names line and column.

export class TemplateError extends Error {
  constructor(
    message: string,
    readonly line?: number,
    readonly column?: number,
  ) {
    super(line === undefined ? `template: ${message}` : `template: line ${line}, column ${column}: ${message}`);
    this.name = 'TemplateError';
  }
}

export type TokenKind =
  | 'text'
  | 'open' // {{
  | 'close' // }}
  | 'field' // .Name (one segment; `.` alone is 'dot')
  | 'dot'
  | 'variable' // $ or $name
  | 'identifier' // function names and keywords
  | 'string'
  | 'number'
  | 'bool'
  | 'nil'
  | 'pipe'
  | 'lparen'
  | 'rparen'
  | 'declare' // :=
  | 'assign' // =
  | 'comma'
  | 'eof';

export interface Token {
  kind: TokenKind;
  /** Decoded value: text, field/variable/identifier name, string contents, number source. */
  value: string;
  /** Offset into the source, for positions. */
  pos: number;
}

const keywords = new Set(['if', 'else', 'end', 'range', 'with', 'define', 'template', 'block', 'break', 'continue']);
export const isKeyword = (name: string) => keywords.has(name);

export function position(source: string, pos: number): { line: number; column: number } {
  let line = 1;
  let column = 1;
  for (let i = 0; i < pos && i < source.length; i++) {
    if (source[i] === '\n') {
      line++;
      column = 1;
    } else column++;
  }
  return { line, column };
}

export function errorAt(source: string, pos: number, message: string): TemplateError {
  const { line, column } = position(source, pos);
  return new TemplateError(message, line, column);
}

const isSpace = (c: string) => c === ' ' || c === '\t' || c === '\r' || c === '\n';
const isAlnum = (c: string) => /[A-Za-z0-9_]/.test(c);

export function lex(source: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < source.length) {
    const open = source.indexOf('{{', i);
    let textEnd = open === -1 ? source.length : open;
    let trimLeft = false;
    // `{{- ` trims the white space before the action (Go requires the space after the dash).
    if (open !== -1 && source[open + 2] === '-' && isSpace(source[open + 3] ?? '')) trimLeft = true;
    let text = source.slice(i, textEnd);
    if (trimLeft) text = text.replace(/[ \t\r\n]+$/, '');
    if (text) tokens.push({ kind: 'text', value: text, pos: i });
    if (open === -1) break;
    i = open + 2 + (trimLeft ? 2 : 0);
    // Comments: {{/* ... */}} (with optional trim markers), nothing else in the action.
    const afterOpen = source.slice(i);
    if (afterOpen.startsWith('/*')) {
      const end = source.indexOf('*/', i + 2);
      if (end === -1) throw errorAt(source, open, 'unclosed comment');
      let j = end + 2;
      let trimRight = false;
      if (source.startsWith(' -}}', j)) {
        trimRight = true;
        j += 4;
      } else if (source.startsWith('}}', j)) j += 2;
      else throw errorAt(source, j, 'comment ends before closing delimiter');
      i = trimRight ? skipSpace(source, j) : j;
      continue;
    }
    tokens.push({ kind: 'open', value: '{{', pos: open });
    i = lexAction(source, i, tokens);
  }
  tokens.push({ kind: 'eof', value: '', pos: source.length });
  return tokens;
}

function skipSpace(source: string, i: number): number {
  while (i < source.length && isSpace(source[i])) i++;
  return i;
}

/** Tokens of one action from `i` (after `{{`); returns the offset after `}}` (and trimmed space). */
function lexAction(source: string, i: number, tokens: Token[]): number {
  let depth = 0;
  for (;;) {
    if (i >= source.length) throw errorAt(source, i, 'unclosed action');
    const c = source[i];
    if (isSpace(c)) {
      // ` -}}` closes the action and trims the white space after it.
      if (source.startsWith(' -}}', i) || source.startsWith('\t-}}', i) || source.startsWith('\n-}}', i)) {
        if (depth > 0) throw errorAt(source, i, 'unclosed left paren');
        tokens.push({ kind: 'close', value: '}}', pos: i + 2 });
        return skipSpace(source, i + 4);
      }
      i++;
      continue;
    }
    if (source.startsWith('}}', i)) {
      if (depth > 0) throw errorAt(source, i, 'unclosed left paren');
      tokens.push({ kind: 'close', value: '}}', pos: i });
      return i + 2;
    }
    const start = i;
    if (c === '|') {
      tokens.push({ kind: 'pipe', value: '|', pos: i++ });
    } else if (c === '(') {
      depth++;
      tokens.push({ kind: 'lparen', value: '(', pos: i++ });
    } else if (c === ')') {
      if (--depth < 0) throw errorAt(source, i, 'unexpected right paren');
      tokens.push({ kind: 'rparen', value: ')', pos: i++ });
    } else if (c === ',') {
      tokens.push({ kind: 'comma', value: ',', pos: i++ });
    } else if (source.startsWith(':=', i)) {
      tokens.push({ kind: 'declare', value: ':=', pos: i });
      i += 2;
    } else if (c === '=') {
      tokens.push({ kind: 'assign', value: '=', pos: i++ });
    } else if (c === '"') {
      i++;
      let out = '';
      for (;;) {
        if (i >= source.length || source[i] === '\n') throw errorAt(source, start, 'unterminated quoted string');
        const ch = source[i];
        if (ch === '"') break;
        if (ch === '\\') {
          const esc = source[i + 1];
          const simple: Record<string, string> = { n: '\n', t: '\t', r: '\r', '\\': '\\', '"': '"', "'": "'", a: '\x07', b: '\b', f: '\f', v: '\v' };
          if (esc in simple) {
            out += simple[esc];
            i += 2;
          } else if (esc === 'x' && /^[0-9a-fA-F]{2}$/.test(source.slice(i + 2, i + 4))) {
            out += String.fromCharCode(parseInt(source.slice(i + 2, i + 4), 16));
            i += 4;
          } else if ((esc === 'u' || esc === 'U') && /^[0-9a-fA-F]+$/.test(source.slice(i + 2, i + (esc === 'u' ? 6 : 10)))) {
            const n = esc === 'u' ? 4 : 8;
            out += String.fromCodePoint(parseInt(source.slice(i + 2, i + 2 + n), 16));
            i += 2 + n;
          } else throw errorAt(source, i, `invalid escape \\${esc ?? ''} in string`);
        } else {
          out += ch;
          i++;
        }
      }
      i++;
      tokens.push({ kind: 'string', value: out, pos: start });
    } else if (c === '`') {
      const end = source.indexOf('`', i + 1);
      if (end === -1) throw errorAt(source, start, 'unterminated raw quoted string');
      tokens.push({ kind: 'string', value: source.slice(i + 1, end), pos: start });
      i = end + 1;
    } else if (c === '.' && !/[0-9]/.test(source[i + 1] ?? '')) {
      i++;
      if (isAlnum(source[i] ?? '') && !/[0-9]/.test(source[i])) {
        while (i < source.length && isAlnum(source[i])) i++;
        tokens.push({ kind: 'field', value: source.slice(start + 1, i), pos: start });
      } else tokens.push({ kind: 'dot', value: '.', pos: start });
    } else if (c === '$') {
      i++;
      while (i < source.length && isAlnum(source[i])) i++;
      tokens.push({ kind: 'variable', value: source.slice(start, i), pos: start });
    } else if (/[0-9+\-.]/.test(c)) {
      const m = /^[+-]?(0[xX][0-9a-fA-F_]+|0[bB][01_]+|0[oO][0-7_]+|(\d[\d_]*)?\.?\d[\d_]*([eE][+-]?\d+)?|\d[\d_]*\.)/.exec(source.slice(i));
      if (!m || !m[0] || !/\d/.test(m[0])) throw errorAt(source, i, `bad number syntax: "${source.slice(i, i + 10).split(/[\s}]/)[0]}"`);
      i += m[0].length;
      if (isAlnum(source[i] ?? '') || source[i] === '.') throw errorAt(source, start, `bad number syntax: "${source.slice(start, i + 1)}"`);
      tokens.push({ kind: 'number', value: m[0], pos: start });
    } else if (/[A-Za-z_]/.test(c)) {
      while (i < source.length && isAlnum(source[i])) i++;
      const word = source.slice(start, i);
      if (word === 'true' || word === 'false') tokens.push({ kind: 'bool', value: word, pos: start });
      else if (word === 'nil') tokens.push({ kind: 'nil', value: word, pos: start });
      else tokens.push({ kind: 'identifier', value: word, pos: start });
      // A field chain on a call result or variable: `$x.Name`, handled by the parser from 'field' tokens.
    } else if (c === "'") {
      const m = /^'(\\.|[^\\'])'/.exec(source.slice(i));
      if (!m) throw errorAt(source, i, 'bad character constant');
      tokens.push({ kind: 'number', value: String(m[1].length === 1 ? m[1].codePointAt(0) : (({ n: 10, t: 9, r: 13, '\\': 92, "'": 39 }) as Record<string, number>)[m[1][1]] ?? 0), pos: start });
      i += m[0].length;
    } else {
      throw errorAt(source, i, `unexpected "${c}" in action`);
    }
  }
}
