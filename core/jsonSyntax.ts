/**
 * Where a JSON text stops being JSON, as line and column. Node 20's JSON.parse says "at position 123" at
 * best, and for some errors (an unexpected token, a truncated file) not even that, so the text is scanned
 * once more by a small JSON grammar that stops at the first character it cannot accept.
 */

export interface JsonSyntaxProblem {
  /** 1-based line and column (in UTF-16 code units) of the first character that is not valid JSON there */
  line: number;
  column: number;
  /** JSON.parse's complaint without its position or its quote of the text */
  reason: string;
  /** the line up to that character (its last 40 characters), for a message */
  before: string;
}

/** The problem with `text`, given JSON.parse's error on it. */
export function jsonSyntaxProblem(text: string, error: unknown): JsonSyntaxProblem {
  const message = String((error as Error)?.message ?? error);
  const offset = jsonErrorOffset(text);
  // a text that ends too early: point just after its last character, not at the blank lines after it
  const at = offset < 0 || offset >= text.trimEnd().length ? text.trimEnd().length : offset;
  const lineStart = text.lastIndexOf('\n', at - 1) + 1;
  const line = text.slice(0, lineStart).split('\n').length;
  const before = text.slice(lineStart, at).replace(/\r$/, '');
  const reason = message
    .replace(/ in JSON at position \d+.*$/s, '')
    .replace(/, ".*" is not valid JSON$/s, '')
    .replace(/ \(line \d+ column \d+\)$/, '');
  return { line, column: at - lineStart + 1, reason, before: before.length > 40 ? `…${before.slice(-40)}` : before };
}

/** `at line 3, column 7 (after '  "seeds": [0,')` */
export function describePosition(p: JsonSyntaxProblem): string {
  return `line ${p.line}, column ${p.column}${p.before.trim() ? ` (after '${p.before.trimStart()}')` : ''}`;
}

const LITERAL = /true|false|null|-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/y;
const ESCAPE = /\\(?:["\\/bfnrt]|u[0-9a-fA-F]{4})/y;

/** Offset of the first character that cannot continue valid JSON (text.length when it ends too early), or -1 when `text` is JSON. */
export function jsonErrorOffset(text: string): number {
  let i = 0;
  const fail = (): never => {
    throw new SyntaxAt(i);
  };
  const ws = () => {
    while (i < text.length && (text[i] === ' ' || text[i] === '\t' || text[i] === '\n' || text[i] === '\r')) i++;
  };
  const string = () => {
    i++;
    while (i < text.length) {
      const c = text[i];
      if (c === '"') {
        i++;
        return;
      }
      if (c === '\\') {
        ESCAPE.lastIndex = i;
        if (!ESCAPE.test(text)) fail();
        i = ESCAPE.lastIndex;
      } else if (c < ' ') fail();
      else i++;
    }
    fail();
  };
  const value = (): void => {
    ws();
    const c = text[i];
    if (c === '{' || c === '[') {
      const close = c === '{' ? '}' : ']';
      i++;
      ws();
      if (text[i] === close) {
        i++;
        return;
      }
      for (;;) {
        if (c === '{') {
          ws();
          if (text[i] !== '"') fail();
          string();
          ws();
          if (text[i] !== ':') fail();
          i++;
        }
        value();
        ws();
        if (text[i] === ',') i++;
        else if (text[i] === close) {
          i++;
          return;
        } else fail();
      }
    }
    if (c === '"') return string();
    LITERAL.lastIndex = i;
    if (!LITERAL.test(text)) fail();
    i = LITERAL.lastIndex;
  };
  try {
    value();
    ws();
    if (i < text.length) fail();
    return -1;
  } catch (error) {
    if (error instanceof SyntaxAt) return error.offset;
    throw error;
  }
}

class SyntaxAt {
  constructor(readonly offset: number) {}
}
